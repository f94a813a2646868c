package export

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/citygraph/citygraph/domain"
	"github.com/citygraph/citygraph/internal/telemetry"
)

// Config bounds the exports one instance serves.
type Config struct {
	// Concurrency is how many exports run at once. An export reads the
	// store for as long as it takes to write, so a few at a time keep the
	// store free for GraphQL clients; beyond it a request gets 503
	// UNAVAILABLE with Retry-After.
	Concurrency int
	// Timeout is how long one export may take, writing included. It
	// replaces the server's write timeout for /export, which suits short
	// GraphQL answers, not a whole graph.
	Timeout time.Duration
}

// DefaultConfig serves two exports at once, for up to ten minutes each.
var DefaultConfig = Config{Concurrency: 2, Timeout: 10 * time.Minute}

// retryBusy is the Retry-After, in seconds, of an export refused because
// others are running: exports take seconds to minutes.
const retryBusy = 10

// Handler serves GET /export?format=…: it checks the request and the scope
// before writing anything, answering a mistake with a JSON error that
// carries its code (400 INVALID_ARGUMENT, 400 NOT_FOUND for an unknown
// centre), then streams the file. If the store fails or the timeout passes
// after the first byte, the response is cut off without its end (no final
// chunk), so that no client takes a partial file for a whole one.
func Handler(st domain.Store, log *slog.Logger, cfg Config) http.Handler {
	if cfg.Concurrency < 1 || cfg.Timeout <= 0 {
		panic(fmt.Sprintf("export: invalid config %+v", cfg))
	}
	slots := make(chan struct{}, cfg.Concurrency)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := telemetry.RequestFrom(r.Context())
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			writeError(w, http.StatusMethodNotAllowed, domain.Errorf(domain.EINVALID, "/export answers GET; use GET /export?format=graphml"))
			return
		}
		req, err := ParseRequest(r.URL.Query())
		if err != nil {
			writeError(w, http.StatusBadRequest, err)
			return
		}
		select {
		case slots <- struct{}{}:
			defer func() { <-slots }()
		default:
			rec.Refuse(telemetry.RefusedInFlight)
			w.Header().Set("Retry-After", strconv.Itoa(retryBusy))
			writeError(w, http.StatusServiceUnavailable, domain.Errorf(domain.EUNAVAILABLE,
				"%d exports are running, the most this server runs at once (CITYGRAPH_EXPORT_CONCURRENCY); retry after %d s (Retry-After)",
				cfg.Concurrency, retryBusy))
			return
		}
		ctx, cancel := context.WithTimeout(r.Context(), cfg.Timeout)
		defer cancel()
		rc := http.NewResponseController(w)
		_ = rc.SetWriteDeadline(time.Now().Add(cfg.Timeout + 5*time.Second)) // not every writer has deadlines

		x, err := Prepare(ctx, st, req)
		if err != nil {
			if domain.ErrorCode(err) == domain.EINTERNAL {
				log.ErrorContext(ctx, "export failed before writing", "err", err)
			}
			writeError(w, statusOf(err), err)
			return
		}
		w.Header().Set("Content-Type", x.ContentType())
		w.Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", x.FileName()))
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Header().Set("Cache-Control", "no-store")
		if r.Method == http.MethodHead {
			return
		}
		flush := func() error {
			if err := rc.Flush(); err != nil && !errors.Is(err, http.ErrNotSupported) {
				return err
			}
			return nil
		}
		body := &countingWriter{w: w}
		err = x.Write(ctx, body, flush)
		rec.SetCost(x.Items)
		if err != nil && ctx.Err() == context.DeadlineExceeded && r.Context().Err() == nil {
			err = domain.Timeout(err, fmt.Sprintf("the export took longer than %s (CITYGRAPH_EXPORT_TIMEOUT); export a part of the graph (a neighbourhood or a filtered set)", cfg.Timeout))
		}
		if err != nil && body.n == 0 {
			// Nothing sent yet (the store failed on its first read): a
			// proper error answer still fits.
			w.Header().Del("Content-Disposition")
			if ctx.Err() != nil {
				rec.Refuse(telemetry.RefusedTimeout)
			}
			writeError(w, statusOf(err), err)
			return
		}
		if err != nil {
			switch {
			case r.Context().Err() != nil:
				log.InfoContext(ctx, "export abandoned by the client", "items", x.Items)
			case ctx.Err() != nil || domain.ErrorCode(err) == domain.ETIMEOUT:
				rec.Refuse(telemetry.RefusedTimeout)
				log.WarnContext(ctx, "export cut off at CITYGRAPH_EXPORT_TIMEOUT", "err", err, "items", x.Items)
			default:
				log.WarnContext(ctx, "export cut off", "err", err, "items", x.Items)
			}
			panic(http.ErrAbortHandler) // the client must see a broken transfer, not a short file
		}
	})
}

// statusOf maps an error met before the first byte to a status. An unknown
// centre is the request's fault, so 400, with NOT_FOUND as its code.
func statusOf(err error) int {
	switch domain.ErrorCode(err) {
	case domain.EINVALID, domain.ENOTFOUND:
		return http.StatusBadRequest
	case domain.EUNAVAILABLE:
		return http.StatusServiceUnavailable
	case domain.ETIMEOUT:
		return http.StatusGatewayTimeout
	}
	return http.StatusInternalServerError
}

// writeError answers the error shape /graphql and the admission layer use:
// {"errors":[{"message":…,"extensions":{"code":…}}]}.
func writeError(w http.ResponseWriter, status int, err error) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]any{"errors": []map[string]any{{
		"message":    domain.ErrorMessage(err),
		"extensions": map[string]any{"code": domain.ErrorCode(err)},
	}}})
}
