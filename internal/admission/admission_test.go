package admission_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/citygraph/citygraph/internal/admission"
	"github.com/citygraph/citygraph/internal/telemetry"
)

// refusal is a refused request as a client sees it.
type refusal struct {
	status     int
	retryAfter string
	code       any
	message    string
	reason     telemetry.Reason
}

// send passes one request from addr through h and reports what came back
// and what the request's telemetry record says.
func send(t *testing.T, h http.Handler, addr string) refusal {
	t.Helper()
	req := httptest.NewRequest("POST", "/graphql", nil)
	req.RemoteAddr = addr
	rec := &telemetry.Request{}
	req = req.WithContext(telemetry.WithRequest(req.Context(), rec))
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	got := refusal{status: w.Code, retryAfter: w.Header().Get("Retry-After")}
	_, _, got.reason, _ = rec.Snapshot()
	if w.Code != http.StatusOK {
		var body struct {
			Errors []struct {
				Message    string
				Extensions map[string]any
			}
		}
		if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil || len(body.Errors) != 1 {
			t.Errorf("refusal body = %s (%v), want one GraphQL error", w.Body.String(), err) // no Fatal: send runs in goroutines
			return got
		}
		got.code, got.message = body.Errors[0].Extensions["code"], body.Errors[0].Message
	}
	return got
}

var ok = http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})

func TestRateLimit(t *testing.T) {
	// So low a rate that no token comes back while the test runs.
	cfg := admission.Config{Rate: 0.001, Burst: 3, Clients: 100}
	h := admission.Handler(cfg, ok)

	for i := range cfg.Burst {
		if got := send(t, h, "192.0.2.1:1000"); got.status != http.StatusOK {
			t.Fatalf("request %d of the burst = %+v, want 200", i+1, got)
		}
	}
	t.Run("one over the burst gets 429 with Retry-After", func(t *testing.T) {
		got := send(t, h, "192.0.2.1:2000") // another port: the same client
		if got.status != http.StatusTooManyRequests || got.code != "RATE_LIMITED" || got.reason != telemetry.RefusedRate {
			t.Errorf("got %+v, want 429 RATE_LIMITED refused for rate", got)
		}
		// At 0.001/s the next token is 1,000 s away.
		if n, err := strconv.Atoi(got.retryAfter); err != nil || n < 900 || n > 1000 {
			t.Errorf("Retry-After = %q, want the seconds until a token returns (about 1000)", got.retryAfter)
		}
	})
	t.Run("other clients keep their own buckets", func(t *testing.T) {
		if got := send(t, h, "192.0.2.2:1000"); got.status != http.StatusOK {
			t.Errorf("another client got %+v, want 200", got)
		}
	})
	t.Run("an IPv6 client is one client across its /64", func(t *testing.T) {
		for i := range cfg.Burst {
			addr := "[2001:db8:1:2::" + strconv.Itoa(i+1) + "]:1000"
			if got := send(t, h, addr); got.status != http.StatusOK {
				t.Fatalf("request %d = %+v, want 200", i+1, got)
			}
		}
		if got := send(t, h, "[2001:db8:1:2:ffff::9]:1000"); got.status != http.StatusTooManyRequests {
			t.Errorf("a fresh address in the same /64 got %+v, want 429", got)
		}
	})
}

func TestRateLimitMemoryIsBounded(t *testing.T) {
	h := admission.Handler(admission.Config{Rate: 0.001, Burst: 1, Clients: 2}, ok)
	if got := send(t, h, "192.0.2.1:1"); got.status != http.StatusOK {
		t.Fatalf("first request = %+v, want 200", got)
	}
	if got := send(t, h, "192.0.2.1:1"); got.status != http.StatusTooManyRequests {
		t.Fatalf("second request = %+v, want 429: the bucket is kept", got)
	}
	send(t, h, "192.0.2.2:1")
	send(t, h, "192.0.2.3:1") // a third client: the first's bucket is dropped
	if got := send(t, h, "192.0.2.1:1"); got.status != http.StatusOK {
		t.Errorf("after two other clients, the first got %+v; want 200: only 2 buckets are kept", got)
	}
}

func TestInFlightBound(t *testing.T) {
	const n = 3
	h, entered, release := holdFirst(n, admission.Config{MaxInFlight: n})

	var wg sync.WaitGroup
	statuses := make(chan int, n)
	for i := range n {
		wg.Go(func() { statuses <- send(t, h, "192.0.2."+strconv.Itoa(i+1)+":1").status })
	}
	for range n {
		waitFor(t, entered, "a request to enter the handler")
	}

	got := send(t, h, "192.0.2.9:1")
	if got.status != http.StatusServiceUnavailable || got.retryAfter != "1" || got.code != "UNAVAILABLE" || got.reason != telemetry.RefusedInFlight {
		t.Errorf("request %d = %+v, want 503 UNAVAILABLE, Retry-After 1, refused for in-flight", n+1, got)
	}

	close(release)
	wg.Wait()
	close(statuses)
	for s := range statuses {
		if s != http.StatusOK {
			t.Errorf("a request in flight ended with %d, want 200", s)
		}
	}
	if got := send(t, h, "192.0.2.9:1"); got.status != http.StatusOK {
		t.Errorf("after the others finished: %+v, want 200", got)
	}
}

// holdFirst admits requests as cfg says to a handler that holds the first
// n it gets (each says so on entered) until release is closed, and answers
// the rest at once, so that a bound that fails lets a request through
// rather than hanging the test.
func holdFirst(n int64, cfg admission.Config) (h http.Handler, entered, release chan struct{}) {
	entered, release = make(chan struct{}), make(chan struct{})
	var seen atomic.Int64
	return admission.Handler(cfg, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		if seen.Add(1) <= n {
			entered <- struct{}{}
			<-release
		}
	})), entered, release
}

func TestInFlightPerClient(t *testing.T) {
	const perClient = 2
	h, entered, release := holdFirst(perClient, admission.Config{MaxInFlight: 10, MaxInFlightPerClient: perClient})

	var wg sync.WaitGroup
	for range perClient {
		wg.Go(func() { send(t, h, "192.0.2.1:1") })
		waitFor(t, entered, "a request to enter the handler")
	}
	got := send(t, h, "192.0.2.1:2")
	if got.status != http.StatusTooManyRequests || got.retryAfter != "1" || got.code != "RATE_LIMITED" || got.reason != telemetry.RefusedRate {
		t.Errorf("the client's request %d = %+v, want 429 RATE_LIMITED with Retry-After 1", perClient+1, got)
	}
	if got := send(t, h, "192.0.2.2:1"); got.status != http.StatusOK {
		t.Errorf("another client got %+v, want 200", got)
	}
	close(release)
	wg.Wait()
	if got := send(t, h, "192.0.2.1:3"); got.status != http.StatusOK {
		t.Errorf("once its requests finished the client got %+v, want 200", got)
	}
}

func TestRateIsCheckedBeforeTheInFlightBound(t *testing.T) {
	h, entered, release := holdFirst(1, admission.Config{MaxInFlight: 1, Rate: 0.001, Burst: 1, Clients: 10})
	done := make(chan struct{})
	go func() { send(t, h, "192.0.2.1:1"); close(done) }()
	waitFor(t, entered, "the first request to enter the handler")
	if got := send(t, h, "192.0.2.1:1"); got.status != http.StatusTooManyRequests {
		t.Errorf("a client over its rate got %+v, want 429 (its rate, not the busy server)", got)
	}
	close(release)
	<-done
}

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name string
		cfg  admission.Config
		ok   bool
	}{
		{"the defaults", admission.DefaultConfig, true},
		{"everything off", admission.Config{}, true},
		{"a negative in-flight bound", admission.Config{MaxInFlight: -1}, false},
		{"a negative in-flight bound per client", admission.Config{MaxInFlightPerClient: -1}, false},
		{"a negative rate", admission.Config{Rate: -1}, false},
		{"a rate without a burst", admission.Config{Rate: 1, Clients: 1}, false},
		{"a rate without room for clients", admission.Config{Rate: 1, Burst: 1}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.cfg.Validate(); (err == nil) != tc.ok {
				t.Errorf("Validate() = %v, want ok=%v", err, tc.ok)
			}
		})
	}
}

// waitFor waits for one value on ch, failing the test after a deadline
// generous enough for a busy machine.
func waitFor(t *testing.T, ch <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(30 * time.Second):
		t.Fatalf("gave up waiting for %s", what)
	}
}
