// Package admission decides whether the service takes a request on at all:
// a per-client rate limit (a token bucket per client, golang.org/x/time/rate)
// and a bound on the requests in flight. A refused request costs the server a
// map lookup and a short JSON answer that says when to retry.
package admission

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"

	"github.com/citygraph/citygraph/domain"
	"github.com/citygraph/citygraph/internal/telemetry"
)

// Config says how much the service admits.
type Config struct {
	// MaxInFlight bounds the requests being served at once; beyond it a
	// request gets 503 with Retry-After. Zero means no bound.
	MaxInFlight int
	// MaxInFlightPerClient bounds one client's requests being served at
	// once, so that one client cannot hold every slot (with slow uploads or
	// slow queries); beyond it a request gets 429. Zero means no bound.
	MaxInFlightPerClient int
	// Rate is the requests per second each client may send on average, and
	// Burst how many it may send at once; beyond them a request gets 429
	// with Retry-After. A zero Rate means no rate limit.
	Rate  float64
	Burst int
	// Clients bounds how many clients' buckets are kept; the least recently
	// seen client's bucket is dropped first (it starts full when it returns).
	Clients int
	// Key names the client a request is from; nil means ByAddress(nil).
	Key KeyFunc
}

// DefaultConfig suits one instance serving analysts and a few apps.
var DefaultConfig = Config{MaxInFlight: 64, MaxInFlightPerClient: 16, Rate: 20, Burst: 40, Clients: 10_000}

// Validate says what is wrong with c, if anything, naming the setting.
func (c Config) Validate() error {
	switch {
	case c.MaxInFlight < 0:
		return fmt.Errorf("the bound on requests in flight is %d; use a positive number, or 0 for no bound", c.MaxInFlight)
	case c.MaxInFlightPerClient < 0:
		return fmt.Errorf("the bound on one client's requests in flight is %d; use a positive number, or 0 for no bound", c.MaxInFlightPerClient)
	case c.Rate < 0:
		return fmt.Errorf("the rate limit is %g requests per second; use a positive number, or 0 for no limit", c.Rate)
	case c.Rate > 0 && c.Burst < 1:
		return fmt.Errorf("the rate limit's burst is %d; use 1 or more", c.Burst)
	case c.Rate > 0 && c.Clients < 1:
		return fmt.Errorf("the rate limit keeps buckets for %d clients; use 1 or more", c.Clients)
	}
	return nil
}

// retryBusy is the Retry-After of a request refused for the in-flight
// bound: slots free as requests finish, usually within a second.
const retryBusy = 1

// Handler admits requests to next as cfg says: first the client's rate,
// then its requests in flight, then the server's, so that a client over
// its own limits never takes a slot. It panics if cfg is invalid (see
// Config.Validate).
func Handler(cfg Config, next http.Handler) http.Handler {
	if err := cfg.Validate(); err != nil {
		panic("admission: " + err.Error())
	}
	key := cfg.Key
	if key == nil {
		key = ByAddress(nil)
	}
	var limits *clientLimits
	if cfg.Rate > 0 {
		limits = newClientLimits(cfg.Rate, cfg.Burst, cfg.Clients)
	}
	var perClient *clientsInFlight
	if cfg.MaxInFlightPerClient > 0 {
		perClient = newClientsInFlight(cfg.MaxInFlightPerClient)
	}
	var slots chan struct{}
	if cfg.MaxInFlight > 0 {
		slots = make(chan struct{}, cfg.MaxInFlight)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := telemetry.RequestFrom(r.Context())
		client := key(r)
		if _, _, _, known := rec.Snapshot(); known == "" {
			rec.SetClient(client)
		}
		if limits != nil {
			if wait, ok := limits.allow(client); !ok {
				rec.Refuse(telemetry.RefusedRate)
				refuse(w, http.StatusTooManyRequests, wait, domain.ERATELIMIT, fmt.Sprintf(
					"too many requests from this client: the limit is %g per second with bursts of %d; retry after %d s (Retry-After)",
					cfg.Rate, cfg.Burst, wait))
				return
			}
		}
		if perClient != nil {
			if !perClient.acquire(client) {
				rec.Refuse(telemetry.RefusedRate)
				refuse(w, http.StatusTooManyRequests, retryBusy, domain.ERATELIMIT, fmt.Sprintf(
					"this client already has %d requests in flight, the most one client may; retry after %d s (Retry-After)",
					cfg.MaxInFlightPerClient, retryBusy))
				return
			}
			defer perClient.release(client)
		}
		if slots != nil {
			select {
			case slots <- struct{}{}:
				defer func() { <-slots }()
			default:
				rec.Refuse(telemetry.RefusedInFlight)
				refuse(w, http.StatusServiceUnavailable, retryBusy, domain.EUNAVAILABLE, fmt.Sprintf(
					"the server is busy: it serves at most %d requests at once; retry after %d s (Retry-After)",
					cfg.MaxInFlight, retryBusy))
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// refuse answers a GraphQL-shaped error with Retry-After in seconds.
func refuse(w http.ResponseWriter, status, retryAfter int, code domain.Code, msg string) {
	w.Header().Set("Retry-After", strconv.Itoa(retryAfter))
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]any{"errors": []map[string]any{{
		"message":    msg,
		"extensions": map[string]any{"code": code, "retryAfterSeconds": retryAfter},
	}}})
}
