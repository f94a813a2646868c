package graph

// Reading a GraphQL-over-HTTP request's parameters (query, operationName,
// variables, extensions) from a GET's URL or a POST's JSON body, refusing
// malformed ones with a message that describes them and never quotes them.

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/citygraph/citygraph/domain"
	"github.com/citygraph/citygraph/internal/telemetry"
)

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
	return paramsFromJSON(body)
}

// paramsFromJSON reads the parameters from a JSON object: a POST's body,
// or a multipart request's operations.
func paramsFromJSON(body []byte) (*graphql.RawParams, *requestError) {
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
	fields, problem := decodeBody(body)
	if problem != "" {
		return nil, badRequest("the request body is not valid JSON: " + problem)
	}
	var err error
	p := &graphql.RawParams{}
	if p.Variables, err = objectValue(fields["variables"]); err != nil {
		return nil, badRequest("variables " + err.Error())
	}
	if p.Extensions, err = objectValue(fields["extensions"]); err != nil {
		return nil, badRequest("extensions " + err.Error())
	}
	if p.OperationName, err = stringValue(fields["operationName"]); err != nil {
		return nil, badRequest("operationName " + err.Error())
	}
	if fields["query"] == nil && !refersToDocument(p.Extensions) {
		return nil, badRequest(`the request has no query; send a JSON object such as {"query": "{ __typename }"}`)
	}
	if p.Query, err = stringValue(fields["query"]); err != nil {
		return nil, badRequest("query " + err.Error())
	}
	return p, nil
}

// decodeBody decodes a body that starts with '{' in one pass, numbers kept
// exact (json.Number, as the variables need); problem describes invalid
// JSON as json.Unmarshal would, by its position.
func decodeBody(body []byte) (fields map[string]any, problem string) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&fields); err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, fmt.Sprintf("syntax error at byte %d", len(body))
		}
		return nil, jsonProblem(err)
	}
	// Anything but whitespace after the object is an error, counted as
	// json.Unmarshal counts it: the bytes read up to and including it.
	rest := body[dec.InputOffset():]
	if extra := bytes.TrimLeft(rest, " \t\r\n"); len(extra) > 0 {
		return nil, fmt.Sprintf("syntax error at byte %d", int(dec.InputOffset())+len(rest)-len(extra)+1)
	}
	return fields, ""
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
	if ct != mediaJSON { // the plain type, as most clients send it, needs no parsing
		mt, params, err := mime.ParseMediaType(ct)
		if err != nil || mt != mediaJSON {
			return unsupported("the request body must be JSON with Content-Type: application/json; the Content-Type given is not")
		}
		if cs, ok := params["charset"]; ok && !strings.EqualFold(cs, "utf-8") {
			return unsupported("the request body must be UTF-8; the Content-Type gives another charset")
		}
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
	return objectValue(v)
}

// objectValue is a decoded JSON value that must be an object; null and
// absent are nil.
func objectValue(v any) (map[string]any, error) {
	switch v := v.(type) {
	case nil:
		return nil, nil
	case map[string]any:
		return v, nil
	default:
		return nil, fmt.Errorf("must be a JSON object or null, not %s", jsonKind(v))
	}
}

// stringValue is a decoded JSON value that must be a string; null and
// absent are "".
func stringValue(v any) (string, error) {
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
