// Package explore serves /explore, a page that draws the graph: a search
// box, a node's neighbourhood drawn with Cytoscape.js, expansion by click,
// filters by relation kind and by date, the paths between two cities, a
// side panel with a node's properties and sources, PNG and SVG export, data
// downloads from /export, and a credential box for services that need one.
//
// The page talks only to the service's own GraphQL endpoint. Cytoscape.js
// is embedded in the binary (copied into assets/ by scripts/refresh-explore
// from the versions pinned in web/package-lock.json; checksums in
// assets/VERSIONS) beside the page's own explore.js and explore.css, so it
// works offline, and a Content-Security-Policy header keeps every request
// on the page's own origin.
package explore

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"html/template"
	"io/fs"
	"net/http"
	"strings"
	"sync"

	"github.com/citygraph/citygraph/internal/credentialbox"
	"github.com/citygraph/citygraph/internal/webassets"
)

// Path is where the page is served; its files are under AssetPrefix.
const (
	Path        = "/explore"
	AssetPrefix = Path + "/assets/"
)

//go:embed assets
var assetsFS embed.FS

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

//go:embed page.html.tmpl
var pageTemplateText string

var pageTemplate = template.Must(template.New("page").Parse(pageTemplateText))

// pageConfig is what explore.js reads from the page's JSON data block.
type pageConfig struct {
	Endpoint string `json:"endpoint"`
	// Export is the path of the service's /export, or empty for none: the
	// page then offers no data download.
	Export string `json:"export,omitempty"`
}

type pageData struct {
	Notice  string
	Config  pageConfig
	Styles  []string
	Scripts []string
}

// Option changes what Handler's page shows.
type Option func(*pageData)

// WithNotice shows text in a banner above the graph, for what a user of
// this server's explorer must know (only trusted documents run, say).
func WithNotice(text string) Option {
	return func(d *pageData) { d.Notice = text }
}

// WithExport offers downloads of the graph's data from the export endpoint
// at path (a same-origin path such as "/export").
func WithExport(path string) Option {
	return func(d *pageData) { d.Config.Export = path }
}

// Handler serves, to be mounted at Path and under Path + "/":
//
//   - GET /explore: the page, drawing from the GraphQL endpoint at endpoint
//     (a same-origin path such as "/graphql");
//   - GET /explore/: a redirect to /explore;
//   - GET /explore/assets/...: Cytoscape.js, its licence, VERSIONS and the
//     page's own scripts (credential.js, the credential box, and explore.js)
//     and styles;
//   - 404 for any other path, 405 for methods other than GET and HEAD.
func Handler(endpoint string, opts ...Option) http.Handler {
	files := assets()
	data := pageData{
		Config:  pageConfig{Endpoint: endpoint},
		Styles:  []string{files.URL("explore.css")},
		Scripts: []string{files.URL("cytoscape.min.js"), files.URL(credentialbox.Script), files.URL("explore.js")},
	}
	for _, opt := range opts {
		opt(&data)
	}
	var page bytes.Buffer
	if err := pageTemplate.Execute(&page, data); err != nil {
		panic("explore: rendering the page: " + err.Error())
	}
	return &handler{page: page.Bytes(), files: files}
}

type handler struct {
	page  []byte
	files *webassets.Set
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch p := r.URL.Path; {
	case p == Path:
		webassets.ServePage(w, r, h.page, ContentSecurityPolicy)
	case p == Path+"/":
		http.Redirect(w, r, Path, http.StatusMovedPermanently)
	case strings.HasPrefix(p, AssetPrefix):
		h.files.ServeHTTP(w, r)
	default:
		http.NotFound(w, r)
	}
}

// ContentSecurityPolicy lets the page load scripts, styles and images from
// its own origin only and send requests to it only: the page works offline
// and tells no other host what is explored. Saved pictures are made in the
// page as blob: and data: URLs, hence img-src's data: and blob:.
var ContentSecurityPolicy = strings.Join([]string{
	"default-src 'none'",
	"script-src 'self'",
	"style-src 'self' " + styleHash(cytoscapeStylesheet),
	"img-src 'self' data: blob:",
	"connect-src 'self'",
	"base-uri 'none'",
	"form-action 'none'",
	"frame-ancestors 'self'",
}, "; ")

// cytoscapeStylesheet is the one inline <style> Cytoscape.js adds to the
// page (renderer/base); the policy allows exactly it, by its hash.
const cytoscapeStylesheet = ".__________cytoscape_container { position: relative; }"

func styleHash(css string) string {
	sum := sha256.Sum256([]byte(css))
	return "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
}

// SwitchedOff answers every request under Path with a 404 that says the
// explorer is off and how to turn it on.
func SwitchedOff(reason string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "the graph explorer is switched off on this server: "+reason, http.StatusNotFound)
	})
}
