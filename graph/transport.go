package graph

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/citygraph/citygraph/domain"
	"github.com/citygraph/citygraph/internal/auth"
	"github.com/citygraph/citygraph/internal/telemetry"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// The response media types of the GraphQL-over-HTTP spec.
const (
	mediaJSON            = "application/json"
	mediaGraphQLResponse = "application/graphql-response+json"
)

// allowedMethods is the Allow header of /graphql.
const allowedMethods = "GET, POST, OPTIONS"

// HTTPTransport serves GraphQL over HTTP as the GraphQL-over-HTTP spec
// describes, for both response media types: Accept negotiation (406 when
// neither is acceptable), 405 with Allow for other methods and for
// mutations by GET, 415 for a body that is not JSON, 400 for malformed
// parameters, and for application/graphql-response+json a 4xx or 5xx
// whenever there is no data. It answers every request itself, so every
// error carries extensions.code, and it never echoes a malformed body.
// gqlgen's GET and POST transports do neither.
type HTTPTransport struct{}

var _ graphql.Transport = HTTPTransport{}

// Supports is true for every request: HTTPTransport is the only transport
// and refuses what it cannot serve with a status and a code.
func (HTTPTransport) Supports(*http.Request) bool { return true }

// Do serves one request.
func (HTTPTransport) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	if r.Method == http.MethodOptions {
		w.Header().Set("Allow", allowedMethods)
		w.WriteHeader(http.StatusNoContent)
		return
	}
	media, acceptable := negotiate(r.Header.Values("Accept"))
	start := graphql.Now()
	var params *graphql.RawParams
	var rerr *requestError
	switch {
	case r.Method != http.MethodGet && r.Method != http.MethodPost:
		rerr = &requestError{status: http.StatusMethodNotAllowed, allow: allowedMethods, code: domain.EINVALID,
			msg: fmt.Sprintf("method %s is not served here; send the query by GET or POST", r.Method)}
	case !acceptable:
		rerr = &requestError{status: http.StatusNotAcceptable, code: domain.EINVALID,
			msg: "this endpoint answers in application/graphql-response+json or application/json, and the Accept header allows neither"}
	case r.Method == http.MethodGet:
		params, rerr = paramsFromURL(r.URL)
	case isMultipart(r.Header):
		params, rerr = paramsFromMultipart(r)
	default:
		params, rerr = paramsFromBody(r)
	}
	if rerr != nil {
		if rerr.reason != "" {
			telemetry.RequestFrom(r.Context()).Refuse(rerr.reason)
		}
		writeTransportError(w, media, rerr)
		return
	}
	params.Headers = r.Header
	params.ReadTime = graphql.TraceTiming{Start: start, End: graphql.Now()}

	// The plan writer's response, framed whole in a pooled buffer, is sent as it is.
	ctx, frame := withResponseFrame(r.Context())
	defer frame.release()
	opCtx, errs := exec.CreateOperationContext(ctx, params)
	if errs != nil {
		resp := exec.DispatchError(graphql.WithOperationContext(ctx, opCtx), errs)
		status := requestErrorStatus(media, resp.Errors)
		if status == http.StatusUnauthorized {
			w.Header().Set("WWW-Authenticate", auth.Challenge(nil))
		}
		writeResponse(w, media, status, resp)
		return
	}
	switch op := opCtx.Operation.Operation; {
	case op == ast.Subscription:
		writeTransportError(w, media, &requestError{status: http.StatusBadRequest, code: domain.EINVALID,
			msg: "subscriptions are served over a websocket at this path (the graphql-transport-ws protocol), not by GET or POST"})
		return
	case op != ast.Query && r.Method == http.MethodGet:
		writeTransportError(w, media, &requestError{status: http.StatusMethodNotAllowed, allow: http.MethodPost, code: domain.EINVALID,
			msg: fmt.Sprintf("a GET request may only run a query; send the %s by POST", op)})
		return
	}
	responses, ctx := exec.DispatchOperation(ctx, opCtx)
	resp := responses(ctx)
	if resp == nil {
		// The executor answers nothing once the request's context is done.
		e := gqlerror.Errorf("the request took longer than the server allows; ask for smaller pages")
		e.Extensions = map[string]any{"code": domain.ETIMEOUT}
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			telemetry.RequestFrom(ctx).Refuse(telemetry.RefusedTimeout)
		} else {
			e.Message = "the request was cancelled before it was answered"
			e.Extensions["code"] = domain.EUNAVAILABLE
		}
		resp = &graphql.Response{Errors: gqlerror.List{e}}
	}
	if b, ok := frame.framed(resp); ok {
		w.Header().Set("Content-Type", media+"; charset=utf-8")
		w.WriteHeader(http.StatusOK)
		w.Write(b)
		return
	}
	status := http.StatusOK
	if media == mediaGraphQLResponse && len(resp.Data) == 0 {
		status = requestErrorStatus(media, resp.Errors)
	}
	writeResponse(w, media, status, resp)
}

// negotiate picks the response media type from the Accept headers: the
// supported type of highest quality, the first listed among equals, with
// application/json for wildcards and for no Accept header at all. When
// neither type is acceptable it says so, and errors go as application/json.
func negotiate(accept []string) (string, bool) {
	best, bestQ := "", 0.0
	seen := false
	for _, h := range accept {
		for part := range strings.SplitSeq(h, ",") {
			if strings.TrimSpace(part) == "" {
				continue
			}
			seen = true
			mt, params, err := mime.ParseMediaType(part)
			if err != nil {
				continue
			}
			q := 1.0
			if s, ok := params["q"]; ok {
				if q, err = strconv.ParseFloat(s, 64); err != nil {
					continue
				}
			}
			var m string
			switch mt {
			case mediaGraphQLResponse:
				m = mediaGraphQLResponse
			case mediaJSON, "application/*", "*/*":
				m = mediaJSON
			default:
				continue
			}
			if q > bestQ {
				best, bestQ = m, q
			}
		}
	}
	switch {
	case !seen:
		return mediaJSON, true
	case best == "":
		return mediaJSON, false
	}
	return best, true
}

// requestErrorStatus is the status of a response without data: 200 for
// application/json, whose clients read the errors from the body, and for
// application/graphql-response+json a 4xx or 5xx as its first coded error
// says (400 for parse, validation and limit errors); 401 and 403 for
// UNAUTHENTICATED and FORBIDDEN with either type.
func requestErrorStatus(media string, errs gqlerror.List) int {
	// A refusal for want of a credential or a role has its HTTP status
	// whatever the media type, as clients and proxies expect of auth.
	for _, e := range errs {
		switch fmt.Sprint(e.Extensions["code"]) {
		case string(domain.EUNAUTHENTICATED):
			return http.StatusUnauthorized
		case string(domain.EFORBIDDEN):
			return http.StatusForbidden
		}
	}
	if media != mediaGraphQLResponse {
		return http.StatusOK
	}
	for _, e := range errs {
		switch fmt.Sprint(e.Extensions["code"]) {
		case string(domain.ERATELIMIT):
			return http.StatusTooManyRequests
		case string(domain.EUNAVAILABLE):
			return http.StatusServiceUnavailable
		case string(domain.ETIMEOUT):
			return http.StatusGatewayTimeout
		case string(domain.EINTERNAL):
			return http.StatusInternalServerError
		}
	}
	return http.StatusBadRequest
}

// response is a GraphQL response as the spec shapes it: without data
// when the request failed before execution (gqlgen's Response would write
// "data": null).
type response struct {
	Errors     gqlerror.List   `json:"errors,omitempty"`
	Data       json.RawMessage `json:"data,omitempty"`
	Extensions map[string]any  `json:"extensions,omitempty"`
}

func writeResponse(w http.ResponseWriter, media string, status int, resp *graphql.Response) {
	b, err := encodeResponse(resp)
	if err != nil {
		status = http.StatusInternalServerError
		b = []byte(`{"errors":[{"message":"internal error: the response could not be encoded","extensions":{"code":"INTERNAL"}}]}`)
	}
	w.Header().Set("Content-Type", media+"; charset=utf-8")
	w.WriteHeader(status)
	w.Write(b)
}

func writeTransportError(w http.ResponseWriter, media string, e *requestError) {
	if e.allow != "" {
		w.Header().Set("Allow", e.allow)
	}
	ge := &gqlerror.Error{Message: e.msg, Extensions: map[string]any{"code": e.code}}
	writeResponse(w, media, e.status, &graphql.Response{Errors: gqlerror.List{ge}})
}

// encodeResponse is json.Marshal of the response. Data alone, with nothing
// json.Marshal would rewrite, is wrapped as it is: re-scanning the
// executor's compact output was a few percent of a request's CPU.
func encodeResponse(resp *graphql.Response) ([]byte, error) {
	if len(resp.Errors) > 0 || len(resp.Extensions) > 0 || !asMarshalled(resp.Data) {
		return json.Marshal(response{Errors: resp.Errors, Data: resp.Data, Extensions: resp.Extensions})
	}
	b := make([]byte, 0, len(resp.Data)+len(`{"data":}`))
	b = append(b, `{"data":`...)
	b = append(b, resp.Data...)
	return append(b, '}'), nil
}

// asMarshalled reports whether json.Marshal copies the executor's data
// unchanged: it escapes <, > and & and the line separators U+2028 and
// U+2029 (whose UTF-8 starts with 0xE2), and drops whitespace outside
// strings (the executor writes none, but a line break is refused anyway).
// Data with any escape goes through json.Marshal too, which refuses what
// is not JSON (a scalar written with strconv.Quote's \x, say).
func asMarshalled(data json.RawMessage) bool {
	if len(data) == 0 {
		return false
	}
	// One IndexByte per byte sought: each is vectorised, where one loop
	// testing every byte against all of them is not.
	for i := range len(notAsMarshalled) {
		if bytes.IndexByte(data, notAsMarshalled[i]) >= 0 {
			return false
		}
	}
	return true
}

// notAsMarshalled are the bytes asMarshalled looks for.
const notAsMarshalled = "<>&\xE2\n\r\t\\"
