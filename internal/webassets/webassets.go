// Package webassets serves a tree of embedded files under a URL path
// prefix, each addressed by a URL versioned with its content hash, so that a
// page can let browsers cache them for a year and still see a new build at
// once. The playground and the explorer serve their browser builds with it.
package webassets

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"strings"
)

// Set is the files of one directory, served under one prefix.
type Set struct {
	prefix string
	hashes map[string]string       // path relative to the root → hex sha256 of its content
	files  map[string]http.Handler // path → the file server of the tree that holds it
}

// New hashes every file of fsys, and of the extra trees (files that pages
// share, such as the credential box), which are served as if they were in
// fsys; a path in two trees is an error. prefix is the URL path the files
// are served under, with a trailing slash ("/explore/assets/").
func New(fsys fs.FS, prefix string, extra ...fs.FS) (*Set, error) {
	if !strings.HasPrefix(prefix, "/") || !strings.HasSuffix(prefix, "/") {
		return nil, fmt.Errorf("webassets: prefix %q must start and end with /", prefix)
	}
	s := &Set{prefix: prefix, hashes: map[string]string{}, files: map[string]http.Handler{}}
	for _, tree := range append([]fs.FS{fsys}, extra...) {
		server := http.FileServer(http.FS(tree))
		err := fs.WalkDir(tree, ".", func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			if _, twice := s.hashes[p]; twice {
				return fmt.Errorf("%s is in two of the trees", p)
			}
			b, err := fs.ReadFile(tree, p)
			if err != nil {
				return err
			}
			sum := sha256.Sum256(b)
			s.hashes[p] = hex.EncodeToString(sum[:])
			s.files[p] = server
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("webassets: hashing the files under %s: %w", prefix, err)
		}
	}
	return s, nil
}

// Prefix is the URL path the files are served under.
func (s *Set) Prefix() string { return s.prefix }

// URL returns the same-origin URL of a file, versioned by its content hash.
// A name that is not in the set is a programming error: it panics.
func (s *Set) URL(name string) string {
	h, ok := s.hashes[name]
	if !ok {
		panic("webassets: no embedded file " + name + " under " + s.prefix)
	}
	return s.prefix + name + "?v=" + h[:16]
}

// ServeHTTP serves the file named by the path after the prefix: 404 for
// any other path, 405 for a method other than GET and HEAD. A URL with the
// file's current version is cached for a year; any other is revalidated
// against the file's ETag.
func (s *Set) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	name, ok := strings.CutPrefix(r.URL.Path, s.prefix)
	h, known := s.hashes[name]
	if !ok || !known || path.Clean(name) != name {
		http.NotFound(w, r)
		return
	}
	if !AllowRead(w, r) {
		return
	}
	hd := w.Header()
	if r.URL.Query().Get("v") == h[:16] {
		hd.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		hd.Set("Cache-Control", "no-cache")
	}
	hd.Set("ETag", `"`+h+`"`)
	hd.Set("X-Content-Type-Options", "nosniff")
	r2 := new(http.Request)
	*r2 = *r
	r2.URL = &url.URL{Path: "/" + name, RawQuery: r.URL.RawQuery}
	s.files[name].ServeHTTP(w, r2)
}

// AllowRead reports whether r is a GET or HEAD; otherwise it answers 405
// with an Allow header.
func AllowRead(w http.ResponseWriter, r *http.Request) bool {
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		return true
	}
	w.Header().Set("Allow", "GET, HEAD")
	http.Error(w, "method not allowed: use GET or HEAD", http.StatusMethodNotAllowed)
	return false
}

// ServePage answers a GET or HEAD with an HTML page that its policy (a
// Content-Security-Policy) confines, never cached without revalidation
// since it names the current versions of the files; other methods get 405.
func ServePage(w http.ResponseWriter, r *http.Request, page []byte, policy string) {
	if !AllowRead(w, r) {
		return
	}
	hd := w.Header()
	hd.Set("Content-Type", "text/html; charset=utf-8")
	hd.Set("Content-Security-Policy", policy)
	hd.Set("Cache-Control", "no-cache")
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Referrer-Policy", "no-referrer")
	if r.Method == http.MethodHead {
		return
	}
	w.Write(page)
}
