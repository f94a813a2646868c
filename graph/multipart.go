package graph

// The GraphQL multipart request spec
// (https://github.com/jaydenseric/graphql-multipart-request-spec): a
// multipart/form-data POST whose first part, operations, is the request's
// JSON, whose second, map, says which variables each file fills, and whose
// other parts are the files. importSeed takes its files this way.

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/citygraph/citygraph/domain"
	"github.com/citygraph/citygraph/internal/telemetry"
)

const mediaMultipart = "multipart/form-data"

// preflightHeaders are headers a browser sends only after a CORS
// preflight, so a request with one cannot come from another site's form
// (CSRF); a multipart/form-data POST alone could. Apollo's CSRF prevention
// accepts the same ones.
var preflightHeaders = []string{"GraphQL-Require-Preflight", "Apollo-Require-Preflight", "X-Apollo-Operation-Name", "Authorization"}

// isMultipart reports whether a request's body is multipart/form-data.
func isMultipart(h http.Header) bool {
	ct := h.Get("Content-Type")
	if ct == mediaJSON || ct == "" { // most requests: not worth parsing
		return false
	}
	mt, _, err := mime.ParseMediaType(ct)
	return err == nil && mt == mediaMultipart
}

// paramsFromMultipart reads a multipart request: its operations, with
// each file put where map says, as a graphql.Upload. The files are read
// into memory; the request's body is bounded by MaxUploadBytes.
func paramsFromMultipart(r *http.Request) (*graphql.RawParams, *requestError) {
	if !preflighted(r.Header) {
		return nil, badRequest("a multipart request must carry the header GraphQL-Require-Preflight: 1 (or an Authorization header), " +
			"which browsers send only to sites that allow it, so that no other site can make a browser send one")
	}
	mr, err := r.MultipartReader()
	if err != nil {
		return nil, badRequest("the multipart body cannot be read: its Content-Type needs a boundary")
	}
	ops, rerr := formPart(mr, "operations", `the request's JSON, {"query": …, "variables": …}`)
	if rerr != nil {
		return nil, rerr
	}
	p, rerr := paramsFromJSON(ops)
	if rerr != nil {
		rerr.msg = "operations: " + rerr.msg
		return nil, rerr
	}
	raw, rerr := formPart(mr, "map", `a JSON object naming, for each file part, the variables it fills: {"0": ["variables.files.0"]}`)
	if rerr != nil {
		return nil, rerr
	}
	var fileMap map[string][]string
	if err := json.Unmarshal(raw, &fileMap); err != nil {
		return nil, badRequest(`map is not a JSON object of lists of paths such as {"0": ["variables.files.0"]}`)
	}
	seen := map[string]bool{}
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, readProblem(err)
		}
		name := part.FormName()
		paths, ok := fileMap[name]
		if !ok || seen[name] {
			return nil, badRequest("a file part is not named in map, or comes twice; name each file part in map once")
		}
		seen[name] = true
		data, err := io.ReadAll(part)
		if err != nil {
			return nil, readProblem(err)
		}
		for _, path := range paths {
			up := graphql.Upload{File: bytes.NewReader(data), Filename: part.FileName(), Size: int64(len(data)), ContentType: part.Header.Get("Content-Type")}
			if err := putUpload(p.Variables, path, up); err != nil {
				return nil, badRequest(fmt.Sprintf("map: a path of file part %d %s", len(seen), err))
			}
		}
	}
	if len(seen) < len(fileMap) {
		return nil, badRequest(fmt.Sprintf("map names %d files, but the request has %d of them; send a part for each", len(fileMap), len(seen)))
	}
	return p, nil
}

func preflighted(h http.Header) bool {
	for _, k := range preflightHeaders {
		if h.Get(k) != "" {
			return true
		}
	}
	return false
}

// formPart reads the next part, which the spec says must be name.
func formPart(mr *multipart.Reader, name, what string) ([]byte, *requestError) {
	part, err := mr.NextPart()
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, readProblem(err)
	}
	if err != nil || part.FormName() != name {
		return nil, badRequest(fmt.Sprintf("the multipart request's parts must start with operations, then map; %s is missing: send %s", name, what))
	}
	data, err := io.ReadAll(part)
	if err != nil {
		return nil, readProblem(err)
	}
	return data, nil
}

// readProblem is the answer to a body that could not be read: too large,
// cut short or malformed.
func readProblem(err error) *requestError {
	if mbe, ok := errors.AsType[*http.MaxBytesError](err); ok {
		return &requestError{status: http.StatusRequestEntityTooLarge, code: domain.ELIMIT, reason: telemetry.RefusedSize,
			msg: fmt.Sprintf("the upload is over the limit of %d bytes (CITYGRAPH_MAX_UPLOAD_BYTES); send fewer or smaller files at a time", mbe.Limit)}
	}
	return badRequest("the multipart body is malformed or ended early")
}

// putUpload puts up where path ("variables.files.0") points in vars; the
// operations must hold null there.
func putUpload(vars map[string]any, path string, up graphql.Upload) error {
	segs := strings.Split(path, ".")
	if len(segs) < 2 || segs[0] != "variables" {
		return fmt.Errorf("must start with variables.")
	}
	var parent any = vars
	for i, seg := range segs[1:] {
		last := i == len(segs)-2
		switch c := parent.(type) {
		case map[string]any:
			v, ok := c[seg]
			if !ok || (last && v != nil) {
				return fmt.Errorf("names no null in the operations' variables")
			}
			if last {
				c[seg] = up
				return nil
			}
			parent = v
		case []any:
			n, err := strconv.Atoi(seg)
			if err != nil || n < 0 || n >= len(c) || (last && c[n] != nil) {
				return fmt.Errorf("names no null in the operations' variables")
			}
			if last {
				c[n] = up
				return nil
			}
			parent = c[n]
		default:
			return fmt.Errorf("names no null in the operations' variables")
		}
	}
	return fmt.Errorf("names no null in the operations' variables")
}
