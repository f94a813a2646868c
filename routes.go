package main

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"time"

	"github.com/citygraph/citygraph/domain"
	"github.com/citygraph/citygraph/export"
	"github.com/citygraph/citygraph/graph"
	"github.com/citygraph/citygraph/internal/admission"
	"github.com/citygraph/citygraph/internal/auth"
	"github.com/citygraph/citygraph/internal/telemetry"
)

// NewServer returns the service's whole HTTP surface; every route is here.
// tel wraps it whole, so every layer can record on the request; cfg holds
// the limits of one GraphQL request (cfg.limits), how many requests a client
// may send and the server serve at once (cfg.http.admission), and what the
// service exposes (cfg.exposure, cfg.corsOrigins).
func NewServer(st domain.Store, log *slog.Logger, cfg config, tel *telemetry.Telemetry) http.Handler {
	mux := http.NewServeMux()
	// Admission keys a request by its credential where it has one (auth.go).
	authn, adm := cfg.auth.authenticator, cfg.http.admission
	adm.Key = auth.ClientKey(orAddress(adm.Key))
	feed := cfg.auth.feed
	if feed.Poll == 0 { // a config not read by loadConfig
		feed = graph.DefaultFeed
	}
	feed.Authenticator, feed.Client, feed.Origins = authn, adm.Key, cfg.corsOrigins
	gql := auth.Refuse(graph.NewHandler(st, log, cfg.limits, cfg.exposure.graph, graph.WithAccess(cfg.auth.access), graph.WithFeed(feed)))
	mux.Handle("/graphql", allowOrigins(cfg.corsOrigins, authn.Middleware(websocketsApart(gql, admission.Handler(adm, gql)))))
	mux.Handle("/export", admission.Handler(cfg.http.admission, export.Handler(st, log, cfg.exports)))
	mux.HandleFunc("GET /healthz", healthz)
	mux.Handle("GET /readyz", readyz(st))
	mux.Handle("/", playgroundHandler(cfg.exposure))
	explorePage := explorerHandler(cfg.explorer)
	mux.Handle("/explore", explorePage)
	mux.Handle("/explore/", explorePage)
	if metrics := tel.MetricsHandler(); metrics != nil {
		mux.Handle("GET /metrics", metrics)
	}
	return tel.Middleware(mux, mux)
}

// orAddress is key, or keying by address when there is none.
func orAddress(key admission.KeyFunc) admission.KeyFunc {
	if key == nil {
		return admission.ByAddress(nil)
	}
	return key
}

// healthz says the process is alive; it checks nothing else.
func healthz(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// readyz says whether the store can serve, and why not.
func readyz(st domain.Store) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
		defer cancel()
		if err := st.Ping(ctx); err != nil {
			writeJSON(w, http.StatusServiceUnavailable, map[string]string{
				"status": "unavailable", "code": string(domain.ErrorCode(err)), "reason": err.Error()})
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
	})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}
