// Package playground serves a GraphiQL IDE entirely from the binary itself.
//
// gqlgen's built-in playground loads GraphiQL from a CDN, which gives a blank
// page on a closed network. This package embeds the browser builds of
// GraphiQL, React and ReactDOM (copied into assets/ by
// scripts/refresh-graphiql, versions and checksums in assets/VERSIONS), a
// small init.js, and serves the credential box the explorer shows too
// (internal/credentialbox), so the page makes no request to any other host. A
// Content-Security-Policy header enforces that in the browser.
package playground

import (
	"bytes"
	"embed"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"strings"
	"sync"

	"github.com/citygraph/citygraph/internal/credentialbox"
	"github.com/citygraph/citygraph/internal/webassets"
)

// AssetPrefix is the URL path under which the handler serves its static
// files. The page refers to them by this absolute path, so the handler must
// be mounted at the root of the server ("/").
const AssetPrefix = "/playground/assets/"

// Example is a query shown as a tab in the playground. The first example is
// the tab that is open when the page loads.
type Example struct {
	// Name heads the tab's query as a "# Name" comment. GraphiQL titles a
	// tab after the query's operation name, so name the operation too.
	Name      string
	Query     string // GraphQL document
	Variables string // JSON object text, may be empty
}

//go:embed assets
var assetsFS embed.FS

//go:embed page.html.tmpl
var pageTemplateText string

var pageTemplate = template.Must(template.New("page").Parse(pageTemplateText))

// assets are the embedded files, served under AssetPrefix by URLs
// versioned with their content hashes.
var assets = sync.OnceValue(func() *webassets.Set {
	sub, err := fs.Sub(assetsFS, "assets")
	if err != nil {
		panic(err)
	}
	set, err := webassets.New(sub, AssetPrefix, credentialbox.Files)
	if err != nil {
		panic(err)
	}
	return set
})

// pageConfig is what init.js reads from the page's JSON data block.
type pageConfig struct {
	Title       string    `json:"title"`
	Endpoint    string    `json:"endpoint"`
	DefaultTabs []pageTab `json:"defaultTabs,omitempty"`
	// ShowVariables opens the variables editor when the first example has
	// variables.
	ShowVariables bool `json:"showVariables"`
}

// pageTab is a GraphiQL 3 TabDefinition.
type pageTab struct {
	Query     string `json:"query"`
	Variables string `json:"variables,omitempty"`
}

// tabQuery is the text of an example's tab: its query, headed by a comment
// with its name so that the name shows in the editor (GraphiQL titles a tab
// after its operation name, and has no other tab title).
func tabQuery(ex Example) string {
	name := strings.Join(strings.Fields(ex.Name), " ")
	if name == "" {
		return ex.Query
	}
	return "# " + name + "\n" + ex.Query
}

type pageData struct {
	Title   string
	Notice  string
	Config  pageConfig
	Styles  []string
	Scripts []string
}

// Option changes what Handler's page shows.
type Option func(*pageData)

// WithNotice shows text in a banner above the editor, for what a user of
// this server's playground must know (no introspection, say).
func WithNotice(text string) Option {
	return func(d *pageData) { d.Notice = text }
}

// Handler returns an http.Handler, to be mounted at "/", that serves:
//
//   - GET / : an HTML page running GraphiQL against endpoint (a path such as
//     "/graphql", or an absolute URL), with one tab per example, the first
//     one open;
//   - GET /playground/assets/... : the embedded GraphiQL, React and ReactDOM
//     builds, credential.js (the credential box) and init.js;
//   - 404 for any other path, 405 for methods other than GET and HEAD.
//
// The page loads nothing but same-origin assets, and its
// Content-Security-Policy allows scripts, styles and fetches from 'self' only
// (plus endpoint's origin when endpoint is an absolute URL). Its credential
// box sends what is pasted in it as "Authorization: Bearer …" on every
// request, and keeps it in the tab's sessionStorage only.
func Handler(title, endpoint string, examples []Example, opts ...Option) http.Handler {
	files := assets()
	if title == "" {
		title = "GraphiQL"
	}
	cfg := pageConfig{Title: title, Endpoint: endpoint}
	for _, ex := range examples {
		cfg.DefaultTabs = append(cfg.DefaultTabs, pageTab{Query: tabQuery(ex), Variables: ex.Variables})
	}
	cfg.ShowVariables = len(examples) > 0 && strings.TrimSpace(examples[0].Variables) != ""

	data := pageData{
		Title:   title,
		Config:  cfg,
		Styles:  []string{files.URL("graphiql.min.css"), files.URL("init.css")},
		Scripts: []string{files.URL("react.production.min.js"), files.URL("react-dom.production.min.js"), files.URL("graphiql.min.js"), files.URL(credentialbox.Script), files.URL("init.js")},
	}
	for _, opt := range opts {
		opt(&data)
	}
	var page bytes.Buffer
	if err := pageTemplate.Execute(&page, data); err != nil {
		panic("playground: rendering page: " + err.Error())
	}
	return &handler{
		page:  page.Bytes(),
		csp:   contentSecurityPolicy(endpoint),
		files: files,
	}
}

type handler struct {
	page  []byte
	csp   string
	files *webassets.Set
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p := r.URL.Path
	switch {
	case p == "/":
		webassets.ServePage(w, r, h.page, h.csp)
	case strings.HasPrefix(p, AssetPrefix):
		h.files.ServeHTTP(w, r)
	default:
		http.NotFound(w, r)
	}
}

// contentSecurityPolicy allows scripts, styles, images and fonts from the
// page's own origin only. GraphiQL sets inline style attributes and uses
// data: URLs for its embedded fonts and icons, hence 'unsafe-inline' for
// styles and data: for fonts and images. Fetches go to 'self', plus the
// endpoint's origin when it is an absolute URL on another origin, and its
// websocket counterpart, where subscriptions go.
func contentSecurityPolicy(endpoint string) string {
	connect := "'self'"
	if u, err := url.Parse(endpoint); err == nil && u.Host != "" {
		switch u.Scheme {
		case "http", "ws":
			connect += " http://" + u.Host + " ws://" + u.Host
		case "https", "wss":
			connect += " https://" + u.Host + " wss://" + u.Host
		}
	}
	return strings.Join([]string{
		"default-src 'none'",
		"script-src 'self'",
		"style-src 'self' 'unsafe-inline'",
		"img-src 'self' data:",
		"font-src 'self' data:",
		"connect-src " + connect,
		"base-uri 'none'",
		"form-action 'none'",
		"frame-ancestors 'self'",
	}, "; ")
}
