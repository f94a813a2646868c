package graph_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/citygraph/citygraph/domain"
	"github.com/citygraph/citygraph/graph"
	"github.com/citygraph/citygraph/store/embedded"
)

const importQuery = `mutation ($files: [Upload!]!, $dryRun: Boolean) { importSeed(files: $files, dryRun: $dryRun) { dryRun rows counts { kind created updated unchanged } } }`

// part is one file of a multipart request.
type part struct{ field, name, content string }

// multipartBody writes a multipart request's parts in the order given:
// operations, map, then the files.
func multipartBody(t *testing.T, operations, fileMap string, files ...part) (*bytes.Buffer, string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	if operations != "" {
		mw.WriteField("operations", operations)
	}
	if fileMap != "" {
		mw.WriteField("map", fileMap)
	}
	for _, f := range files {
		w, err := mw.CreateFormFile(f.field, f.name)
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(w, f.content)
	}
	mw.Close()
	return &buf, mw.FormDataContentType()
}

// exampleFiles are the seed files of seed/testdata/example as file parts
// 0…n-1, with the operations and map that import them.
func exampleFiles(t *testing.T, dryRun bool) (string, string, []part) {
	t.Helper()
	paths, _ := filepath.Glob("../seed/testdata/example/*")
	var files []part
	m := map[string][]string{}
	for i, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, part{fmt.Sprint(i), filepath.Base(p), string(b)})
		m[fmt.Sprint(i)] = []string{fmt.Sprintf("variables.files.%d", i)}
	}
	ops, _ := json.Marshal(map[string]any{"query": importQuery, "variables": map[string]any{"files": make([]any, len(files)), "dryRun": dryRun}})
	mb, _ := json.Marshal(m)
	return string(ops), string(mb), files
}

type uploadServer struct {
	t   *testing.T
	url string
	st  domain.Store
}

func newUploadServer(t *testing.T, lim graph.Limits) *uploadServer {
	t.Helper()
	st, err := embedded.Open("")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	srv := httptest.NewServer(asAdmin(graph.NewHandler(st, quietLog(), lim, graph.DefaultExposure)))
	t.Cleanup(srv.Close)
	return &uploadServer{t: t, url: srv.URL, st: st}
}

// post sends a multipart body and returns the status and decoded response.
func (s *uploadServer) post(body io.Reader, contentType string, header ...string) (int, map[string]any) {
	s.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, s.url, body)
	req.Header.Set("Content-Type", contentType)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		s.t.Fatalf("status %d: the body is not JSON: %v", resp.StatusCode, err)
	}
	return resp.StatusCode, out
}

func (s *uploadServer) cities() int {
	s.t.Helper()
	p, err := s.st.ListNodes(s.t.Context(), domain.NodeQuery{Kind: domain.KindCity, Page: domain.Page{First: 10}})
	if err != nil {
		s.t.Fatal(err)
	}
	return len(p.Items)
}

// counts returns an import's counts by kind.
func importCounts(t *testing.T, out map[string]any) map[string]map[string]any {
	t.Helper()
	got := map[string]map[string]any{}
	for _, c := range at(t, out, "data", "importSeed", "counts").([]any) {
		got[at(t, c, "kind").(string)] = c.(map[string]any)
	}
	return got
}

// importSeed takes seed files by the GraphQL multipart request spec: a dry
// run counts and writes nothing, an import writes, and the same files
// again leave everything unchanged.
func TestImportSeed(t *testing.T) {
	s := newUploadServer(t, graph.DefaultLimits)
	steps := []struct {
		name                  string
		dryRun                bool
		wantCreated, wantSame float64
		wantCities            int
	}{
		{"a dry run writes nothing", true, 2, 0, 0},
		{"an import writes", false, 2, 0, 2},
		{"the same files again change nothing", false, 0, 2, 2},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			ops, m, files := exampleFiles(t, st.dryRun)
			body, ct := multipartBody(t, ops, m, files...)
			status, out := s.post(body, ct, "GraphQL-Require-Preflight", "1")
			if status != http.StatusOK || out["errors"] != nil {
				t.Fatalf("got %d %v, want 200 without errors", status, out)
			}
			city := importCounts(t, out)["City"]
			if city["created"] != st.wantCreated || city["unchanged"] != st.wantSame || at(t, out, "data", "importSeed", "dryRun") != st.dryRun {
				t.Errorf("got City counts %v, want %v created and %v unchanged", city, st.wantCreated, st.wantSame)
			}
			if n := s.cities(); n != st.wantCities {
				t.Errorf("got %d cities stored, want %d", n, st.wantCities)
			}
		})
	}
}

// A file with problems fails the whole import with every problem, naming
// the uploaded file, and writes nothing.
func TestImportSeedWithProblemsWritesNothing(t *testing.T) {
	s := newUploadServer(t, graph.DefaultLimits)
	ops, m, files := exampleFiles(t, false)
	for i := range files {
		if files[i].name == "cities.csv" {
			files[i].content += "gamma,Gamma,,CN,city,,,95.0,0,,,,example-article\n"
		}
	}
	body, ct := multipartBody(t, ops, m, files...)
	status, out := s.post(body, ct, "GraphQL-Require-Preflight", "1")
	errs, _ := out["errors"].([]any)
	if status != http.StatusOK || len(errs) != 1 || at(t, errs[0], "extensions", "code") != string(domain.EINVALID) {
		t.Fatalf("got %d %v, want one INVALID_ARGUMENT error", status, out)
	}
	problems := fmt.Sprint(at(t, errs[0], "extensions", "problems"))
	if !strings.Contains(problems, "cities.csv") || !strings.Contains(problems, "lat") {
		t.Errorf("got problems %s, want the latitude of cities.csv named", problems)
	}
	if n := s.cities(); n != 0 {
		t.Errorf("got %d cities stored, want none", n)
	}
}

// Malformed multipart requests are refused with a status, a code and a
// message that says what to send, before anything runs.
func TestMultipartTransportRefusals(t *testing.T) {
	lim := graph.DefaultLimits
	lim.MaxUploadBytes = 4096
	s := newUploadServer(t, lim)
	ops := `{"query": "mutation ($files: [Upload!]!) { importSeed(files: $files) { rows } }", "variables": {"files": [null]}}`
	file := part{"0", "cities.csv", "id,name\n"}
	tests := []struct {
		name       string
		body       func() (*bytes.Buffer, string)
		header     []string
		wantStatus int
		wantCode   domain.Code
		says       string
	}{
		{"no preflight header (CSRF)", func() (*bytes.Buffer, string) { return multipartBody(t, ops, `{"0": ["variables.files.0"]}`, file) },
			nil, http.StatusBadRequest, domain.EINVALID, "GraphQL-Require-Preflight"},
		{"map before operations", func() (*bytes.Buffer, string) { return multipartBody(t, "", `{"0": ["variables.files.0"]}`, file) },
			[]string{"GraphQL-Require-Preflight", "1"}, http.StatusBadRequest, domain.EINVALID, "operations"},
		{"operations that are not JSON", func() (*bytes.Buffer, string) { return multipartBody(t, `{"query": `, `{}`, file) },
			[]string{"GraphQL-Require-Preflight", "1"}, http.StatusBadRequest, domain.EINVALID, "operations"},
		{"a map that is not JSON", func() (*bytes.Buffer, string) { return multipartBody(t, ops, `["0"]`, file) },
			[]string{"GraphQL-Require-Preflight", "1"}, http.StatusBadRequest, domain.EINVALID, "map"},
		{"a map path into no variable", func() (*bytes.Buffer, string) { return multipartBody(t, ops, `{"0": ["variables.other.0"]}`, file) },
			[]string{"GraphQL-Require-Preflight", "1"}, http.StatusBadRequest, domain.EINVALID, "names no null"},
		{"a map path outside the variables", func() (*bytes.Buffer, string) { return multipartBody(t, ops, `{"0": ["query"]}`, file) },
			[]string{"GraphQL-Require-Preflight", "1"}, http.StatusBadRequest, domain.EINVALID, "variables"},
		{"a file the map does not name", func() (*bytes.Buffer, string) {
			return multipartBody(t, ops, `{"0": ["variables.files.0"]}`, file, part{"1", "b.csv", "x"})
		}, []string{"GraphQL-Require-Preflight", "1"}, http.StatusBadRequest, domain.EINVALID, "not named in map"},
		{"a file the map names but the request lacks", func() (*bytes.Buffer, string) { return multipartBody(t, ops, `{"0": ["variables.files.0"]}`) },
			[]string{"GraphQL-Require-Preflight", "1"}, http.StatusBadRequest, domain.EINVALID, "send a part for each"},
		{"an upload over the limit", func() (*bytes.Buffer, string) {
			return multipartBody(t, ops, `{"0": ["variables.files.0"]}`, part{"0", "big.csv", strings.Repeat("x", 5000)})
		}, []string{"GraphQL-Require-Preflight", "1"}, http.StatusRequestEntityTooLarge, domain.ELIMIT, "4096 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body, ct := tt.body()
			status, out := s.post(body, ct, tt.header...)
			errs, _ := out["errors"].([]any)
			if status != tt.wantStatus || len(errs) != 1 || at(t, errs[0], "extensions", "code") != string(tt.wantCode) {
				t.Fatalf("got %d %v, want %d with one %s error", status, out, tt.wantStatus, tt.wantCode)
			}
			if msg := at(t, errs[0], "message").(string); !strings.Contains(msg, tt.says) {
				t.Errorf("got message %q, want it to say %q", msg, tt.says)
			}
		})
	}
}

// A chunked upload, whose size is not known before it is read, is cut off
// at the limit with the same answer.
func TestChunkedUploadOverTheLimit(t *testing.T) {
	lim := graph.DefaultLimits
	lim.MaxUploadBytes = 4096
	s := newUploadServer(t, lim)
	ops := `{"query": "mutation ($files: [Upload!]!) { importSeed(files: $files) { rows } }", "variables": {"files": [null]}}`
	body, ct := multipartBody(t, ops, `{"0": ["variables.files.0"]}`, part{"0", "big.csv", strings.Repeat("x", 5000)})
	status, out := s.post(io.MultiReader(body), ct, "GraphQL-Require-Preflight", "1") // no Content-Length
	errs, _ := out["errors"].([]any)
	if status != http.StatusRequestEntityTooLarge || len(errs) != 1 || at(t, errs[0], "extensions", "code") != string(domain.ELIMIT) {
		t.Fatalf("got %d %v, want 413 with one LIMIT_EXCEEDED error", status, out)
	}
	if n := s.cities(); n != 0 {
		t.Errorf("got %d cities stored, want none", n)
	}
}
