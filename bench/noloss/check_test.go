package noloss_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/citygraph/citygraph/bench/noloss"
)

// fakeService answers the run's three kinds of request from memory, with
// a fault chosen by the test, so the check is shown to catch each way a
// store could lose or repeat a write.
type fakeService struct {
	fault string

	mu      sync.Mutex
	seq     int64
	log     []map[string]any // change sets: seq, idempotencyKey
	sources map[string]bool
	byKey   map[string]int64
	calls   int
}

func (f *fakeService) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Query     string
		Variables map[string]any
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	var data any
	switch {
	case strings.Contains(req.Query, "createSource"):
		in := req.Variables["input"].(map[string]any)
		key, slug := in["idempotencyKey"].(string), in["slug"].(string)
		f.calls++
		if f.fault == "unavailable first" && f.calls%3 == 1 {
			json.NewEncoder(w).Encode(map[string]any{"errors": []any{map[string]any{"message": "away", "extensions": map[string]any{"code": "UNAVAILABLE"}}}})
			return
		}
		if seq, ok := f.byKey[key]; ok && f.fault != "applied twice" {
			data = map[string]any{"createSource": map[string]any{"changeSeq": seq}}
			break
		}
		f.seq++
		f.byKey[key] = f.seq
		f.log = append(f.log, map[string]any{"seq": f.seq, "idempotencyKey": key})
		if f.fault == "applied twice" {
			f.seq++
			f.log = append(f.log, map[string]any{"seq": f.seq, "idempotencyKey": key})
		}
		if f.fault != "acknowledged but lost" {
			f.sources[slug] = true
		}
		seq := f.seq
		if f.fault == "answered with another change set" {
			seq += 1000
		}
		data = map[string]any{"createSource": map[string]any{"changeSeq": seq}}
	case strings.Contains(req.Query, "changes("):
		after := int64(req.Variables["after"].(float64))
		page := []any{}
		for _, c := range f.log {
			if c["seq"].(int64) > after && len(page) < 1000 {
				page = append(page, c)
			}
		}
		data = map[string]any{"changes": page}
	case strings.Contains(req.Query, "nodes("):
		var nodes []any
		for _, id := range req.Variables["ids"].([]any) {
			if f.sources[strings.TrimPrefix(id.(string), "Source:")] {
				nodes = append(nodes, map[string]any{"id": id})
			} else {
				nodes = append(nodes, nil)
			}
		}
		data = map[string]any{"nodes": nodes}
	default:
		if f.fault == "reads refused" {
			json.NewEncoder(w).Encode(map[string]any{"errors": []any{map[string]any{"message": "no such field", "extensions": map[string]any{"code": "GRAPHQL_VALIDATION_FAILED"}}}})
			return
		}
		data = map[string]any{}
	}
	json.NewEncoder(w).Encode(map[string]any{"data": data})
}

func TestCheckHoldsEveryWriteToItsOutcome(t *testing.T) {
	cases := []struct {
		fault string
		want  string // in a violation; empty for none
	}{
		{fault: "none"},
		{fault: "unavailable first"},
		{fault: "acknowledged but lost", want: "is not in the graph: lost"},
		{fault: "applied twice", want: "applied more than once"},
		{fault: "answered with another change set", want: "but the log records it as"},
		{fault: "reads refused", want: "30 reads were rejected; the first: GRAPHQL_VALIDATION_FAILED"},
	}
	for _, c := range cases {
		t.Run(c.fault, func(t *testing.T) {
			f := &fakeService{fault: c.fault, sources: map[string]bool{}, byKey: map[string]int64{}}
			srv := httptest.NewServer(f)
			defer srv.Close()
			cfg := noloss.DefaultConfig
			cfg.URL, cfg.Requests, cfg.Clients, cfg.Backoff = srv.URL, 60, 4, 0
			rep, err := noloss.Run(context.Background(), cfg)
			if err != nil {
				t.Fatal(err)
			}
			if rep.Writes != 30 || rep.Reads != 30 {
				t.Errorf("sent %d writes and %d reads, want 30 and 30", rep.Writes, rep.Reads)
			}
			if c.want == "" {
				if !rep.OK() || rep.Acknowledged != 30 || rep.Present != 30 {
					t.Errorf("report = %s, want 30 acknowledged, 30 present and no violations", printed(rep))
				}
				if c.fault == "unavailable first" && rep.Retried == 0 {
					t.Errorf("report = %s, want retried writes", printed(rep))
				}
				return
			}
			if !strings.Contains(strings.Join(rep.Violations, "\n"), c.want) {
				t.Errorf("report = %s, want a violation saying %q", printed(rep), c.want)
			}
		})
	}
}

func printed(r *noloss.Report) string {
	var b strings.Builder
	r.Print(&b)
	return fmt.Sprintf("\n%s", b.String())
}
