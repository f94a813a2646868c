package graph

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/citygraph/citygraph/domain"
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

	ctx := r.Context()
	opCtx, errs := exec.CreateOperationContext(ctx, params)
	if errs != nil {
		resp := exec.DispatchError(graphql.WithOperationContext(ctx, opCtx), errs)
		writeResponse(w, media, requestErrorStatus(media, resp.Errors), resp)
		return
	}
	switch op := opCtx.Operation.Operation; {
	case op == ast.Subscription:
		writeTransportError(w, media, &requestError{status: http.StatusBadRequest, code: domain.EINVALID,
			msg: "subscriptions are not served over this endpoint; send a query"})
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

// requestError is a request refused before the executor sees it.
type requestError struct {
	status int
	code   domain.Code
	msg    string
	allow  string           // the Allow header of a 405
	reason telemetry.Reason // why, when a limit refused it
}

// paramsFromURL reads a GET request's query, operationName, variables and
// extensions from the URL.
func paramsFromURL(u *url.URL) (*graphql.RawParams, *requestError) {
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return nil, badRequest("the URL's query string is malformed; encode the parameters as application/x-www-form-urlencoded")
	}
	p := &graphql.RawParams{Query: q.Get("query"), OperationName: q.Get("operationName")}
	if v := q.Get("variables"); v != "" {
		if p.Variables, err = jsonObject([]byte(v)); err != nil {
			return nil, badRequest("the variables parameter " + err.Error())
		}
	}
	if v := q.Get("extensions"); v != "" {
		if p.Extensions, err = jsonObject([]byte(v)); err != nil {
			return nil, badRequest("the extensions parameter " + err.Error())
		}
	}
	if !q.Has("query") && !refersToDocument(p.Extensions) {
		return nil, badRequest(`the request has no query parameter; send one, such as /graphql?query={__typename}, or open / for the playground`)
	}
	return p, nil
}

// paramsFromBody reads a POST request's JSON body.
func paramsFromBody(r *http.Request) (*graphql.RawParams, *requestError) {
	if rerr := checkContentType(r.Header); rerr != nil {
		return nil, rerr
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		if mbe, ok := errors.AsType[*http.MaxBytesError](err); ok {
			return nil, &requestError{status: http.StatusRequestEntityTooLarge, code: domain.ELIMIT, reason: telemetry.RefusedSize,
				msg: fmt.Sprintf("the request body is over the limit of %d bytes; send a smaller query", mbe.Limit)}
		}
		return nil, badRequest("the request body could not be read: it ended early or arrived too slowly")
	}
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		return nil, badRequest(`the request body is empty; send a JSON object such as {"query": "{ __typename }"}`)
	}
	if body[0] != '{' {
		if body[0] == '[' {
			return nil, badRequest("the request body is a JSON array; batched operations are not served: send one JSON object with a query")
		}
		return nil, badRequest(`the request body is not a JSON object; send one such as {"query": "{ __typename }"}`)
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(body, &fields); err != nil {
		return nil, badRequest("the request body is not valid JSON: " + jsonProblem(err))
	}
	p := &graphql.RawParams{}
	if raw, ok := fields["variables"]; ok {
		if p.Variables, err = jsonObject(raw); err != nil {
			return nil, badRequest("variables " + err.Error())
		}
	}
	if raw, ok := fields["extensions"]; ok {
		if p.Extensions, err = jsonObject(raw); err != nil {
			return nil, badRequest("extensions " + err.Error())
		}
	}
	if p.OperationName, err = jsonString(fields["operationName"]); err != nil {
		return nil, badRequest("operationName " + err.Error())
	}
	raw, ok := fields["query"]
	if !ok || string(raw) == "null" {
		if !refersToDocument(p.Extensions) {
			return nil, badRequest(`the request has no query; send a JSON object such as {"query": "{ __typename }"}`)
		}
	}
	if p.Query, err = jsonString(raw); err != nil {
		return nil, badRequest("query " + err.Error())
	}
	return p, nil
}

// checkContentType accepts JSON in UTF-8, the one request body the spec
// requires, and nothing else.
func checkContentType(h http.Header) *requestError {
	unsupported := func(msg string) *requestError {
		return &requestError{status: http.StatusUnsupportedMediaType, code: domain.EINVALID, msg: msg}
	}
	ct := h.Get("Content-Type")
	if ct == "" {
		return unsupported("the request has no Content-Type; send the body as JSON with Content-Type: application/json")
	}
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil || mt != mediaJSON {
		return unsupported("the request body must be JSON with Content-Type: application/json; the Content-Type given is not")
	}
	if cs, ok := params["charset"]; ok && !strings.EqualFold(cs, "utf-8") {
		return unsupported("the request body must be UTF-8; the Content-Type gives another charset")
	}
	if ce := h.Get("Content-Encoding"); ce != "" && !strings.EqualFold(ce, "identity") {
		return unsupported("the request body must not be compressed; send it without Content-Encoding")
	}
	return nil
}

// refersToDocument says whether extensions name a stored document (an
// automatic persisted query), which stands in for the query text.
func refersToDocument(ext map[string]any) bool { return ext["persistedQuery"] != nil }

func badRequest(msg string) *requestError {
	return &requestError{status: http.StatusBadRequest, code: domain.EINVALID, msg: msg}
}

// jsonObject decodes raw as a JSON object (numbers kept exact); null and
// absent are nil.
func jsonObject(raw []byte) (map[string]any, error) {
	if len(bytes.TrimSpace(raw)) == 0 {
		return nil, nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("is not valid JSON: %s", jsonProblem(err))
	}
	if err := dec.Decode(new(any)); err != io.EOF {
		return nil, errors.New("is not valid JSON: it holds more than one value")
	}
	switch v := v.(type) {
	case nil:
		return nil, nil
	case map[string]any:
		return v, nil
	default:
		return nil, fmt.Errorf("must be a JSON object or null, not %s", jsonKind(v))
	}
}

// jsonString decodes raw as a JSON string; null and absent are "".
func jsonString(raw json.RawMessage) (string, error) {
	var v any
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &v); err != nil {
			return "", fmt.Errorf("is not valid JSON: %s", jsonProblem(err))
		}
	}
	switch v := v.(type) {
	case nil:
		return "", nil
	case string:
		return v, nil
	default:
		return "", fmt.Errorf("must be a string, not %s", jsonKind(v))
	}
}

// jsonKind names the JSON type of a decoded value.
func jsonKind(v any) string {
	switch v.(type) {
	case map[string]any:
		return "an object"
	case []any:
		return "an array"
	case string:
		return "a string"
	case bool:
		return "a boolean"
	default:
		return "a number"
	}
}

// jsonProblem describes a JSON syntax error by its position, never
// quoting the input.
func jsonProblem(err error) string {
	if se, ok := errors.AsType[*json.SyntaxError](err); ok {
		return fmt.Sprintf("syntax error at byte %d", se.Offset)
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return "it ends before the JSON is complete"
	}
	return "it does not decode"
}

// requestErrorStatus is the status of a response without data: 200 for
// application/json, whose clients read the errors from the body, and for
// application/graphql-response+json a 4xx or 5xx as its first coded error
// says (400 for parse, validation and limit errors).
func requestErrorStatus(media string, errs gqlerror.List) int {
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
	b, err := json.Marshal(response{Errors: resp.Errors, Data: resp.Data, Extensions: resp.Extensions})
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
