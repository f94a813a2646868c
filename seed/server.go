package seed

// Loading into a running service: `citygraph seed --server URL FILE|DIR…`
// reads and size-checks the files as a direct load does, then sends them
// to the service's importSeed mutation (the GraphQL multipart request
// spec), which parses, checks and writes them with this package's Load.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"mime/multipart"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strings"

	"github.com/citygraph/citygraph/domain"
)

// TokenEnv is the environment variable that holds the credential
// `seed --server` sends (an API key or a JWT), as a bearer token.
const TokenEnv = "CITYGRAPH_TOKEN"

// importMutation is what `seed --server` asks the service to do.
const importMutation = `mutation Import($files: [Upload!]!, $dryRun: Boolean) {
  importSeed(files: $files, dryRun: $dryRun) { dryRun rows counts { kind created updated unchanged deleted } }
}`

// ToServer reports whether seed's arguments ask to load into a running
// service (--server), so that the caller opens no store.
func ToServer(args []string) bool {
	return slices.ContainsFunc(args, func(a string) bool {
		return a == "--server" || a == "-server" || strings.HasPrefix(a, "--server=") || strings.HasPrefix(a, "-server=")
	})
}

// loadToServer sends the seed files at paths to the importSeed mutation of
// the service at server, with token as its bearer credential.
func loadToServer(ctx context.Context, client *http.Client, server, token string, paths []string, opt Options) (Result, error) {
	endpoint, err := graphqlEndpoint(server)
	if err != nil {
		return Result{}, err
	}
	files, err := readFiles(osFS{}, paths, opt.Limits.withDefaults(), func(string, ...any) {})
	if err != nil {
		return Result{}, err
	}
	body, contentType, err := multipartImport(files, opt.DryRun)
	if err != nil {
		return Result{}, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, body)
	if err != nil {
		return Result{}, domain.Errorf(domain.EINVALID, "seed: --server %q: %v", server, err)
	}
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("Accept", "application/graphql-response+json, application/json")
	req.Header.Set("GraphQL-Require-Preflight", "1")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := client.Do(req)
	if err != nil {
		return Result{}, domain.Unavailable(err, fmt.Sprintf("seed: the service at %s cannot be reached: %v", endpoint, err))
	}
	defer resp.Body.Close()
	return importResult(resp)
}

// graphqlEndpoint is the service's /graphql address; a URL with no path
// means the service's root.
func graphqlEndpoint(server string) (string, error) {
	u, err := url.Parse(server)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", domain.Errorf(domain.EINVALID, "seed: --server %q is not an http or https URL such as http://localhost:8080", server)
	}
	if u.Path == "" || u.Path == "/" {
		u.Path = "/graphql"
	}
	return u.String(), nil
}

// multipartImport writes the request: operations, map, then one part per
// file, named as the command line named it so that problems do too.
func multipartImport(files map[string][]byte, dryRun bool) (io.Reader, string, error) {
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	slices.Sort(names)
	ops, err := json.Marshal(map[string]any{"query": importMutation,
		"variables": map[string]any{"files": make([]any, len(names)), "dryRun": dryRun}})
	if err != nil {
		return nil, "", domain.Internal(err, "encoding the import request")
	}
	fileMap := map[string][]string{}
	for i := range names {
		fileMap[fmt.Sprint(i)] = []string{fmt.Sprintf("variables.files.%d", i)}
	}
	m, _ := json.Marshal(fileMap)
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("operations", string(ops))
	mw.WriteField("map", string(m))
	for i, name := range names {
		w, err := mw.CreateFormFile(fmt.Sprint(i), uploadName(name))
		if err != nil {
			return nil, "", domain.Internal(err, "encoding the import request")
		}
		w.Write(files[name])
	}
	if err := mw.Close(); err != nil {
		return nil, "", domain.Internal(err, "encoding the import request")
	}
	return &buf, mw.FormDataContentType(), nil
}

// uploadName is a file's name as the service will know it: the path as
// typed, or its base name where that is not a plain relative path.
func uploadName(name string) string {
	if fs.ValidPath(name) {
		return name
	}
	return path.Base(strings.ReplaceAll(name, `\`, "/"))
}

// importResult reads the service's answer: the report, or its error with
// every problem.
func importResult(resp *http.Response) (Result, error) {
	var out struct {
		Data struct {
			ImportSeed *struct {
				Rows   int
				Counts []struct {
					Kind                                 string
					Created, Updated, Unchanged, Deleted int
				}
			}
		}
		Errors []struct {
			Message    string
			Extensions struct {
				Code     domain.Code
				Problems []domain.Problem
			}
		}
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err == nil {
		err = json.Unmarshal(data, &out)
	}
	if err != nil {
		return Result{}, domain.Errorf(domain.EUNAVAILABLE, "seed: the service answered %s, not a GraphQL response; is --server the citygraph service?", resp.Status)
	}
	if len(out.Errors) > 0 {
		e := out.Errors[0]
		if e.Extensions.Code == "" {
			e.Extensions.Code = domain.EINTERNAL
		}
		return Result{}, &domain.Error{Code: e.Extensions.Code, Message: "seed: the service refused the import: " + e.Message, Problems: e.Extensions.Problems}
	}
	is := out.Data.ImportSeed
	if is == nil {
		return Result{}, errors.New("seed: the service answered without a report")
	}
	res := Result{Rows: is.Rows}
	for _, c := range is.Counts {
		counts := domain.Counts{Created: c.Created, Updated: c.Updated, Unchanged: c.Unchanged, Deleted: c.Deleted}
		if k, err := domain.ParseKind(c.Kind); err == nil {
			if res.Report.Nodes == nil {
				res.Report.Nodes = map[domain.Kind]domain.Counts{}
			}
			res.Report.Nodes[k] = counts
		} else if ek, err := domain.ParseEdgeKind(c.Kind); err == nil {
			if res.Report.Edges == nil {
				res.Report.Edges = map[domain.EdgeKind]domain.Counts{}
			}
			res.Report.Edges[ek] = counts
		}
	}
	return res, nil
}
