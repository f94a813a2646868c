package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/citygraph/citygraph/playground/browsertest"
)

func TestExplorerSwitch(t *testing.T) {
	manifest := trustedManifest(t, `{ __typename }`)
	for _, tc := range []struct {
		name     string
		env      map[string]string
		wantCode int
		wantBody string
	}{
		{"on by default", nil, http.StatusOK, `id="graph"`},
		{"on with introspection off: it needs none", map[string]string{"CITYGRAPH_INTROSPECTION": "false"}, http.StatusOK, `id="graph"`},
		{"switched off says so and how to switch it on", map[string]string{"CITYGRAPH_EXPLORE": "false"}, http.StatusNotFound, "CITYGRAPH_EXPLORE=true"},
		{"off by default in trusted mode", map[string]string{"CITYGRAPH_TRUSTED_DOCUMENTS": manifest}, http.StatusNotFound, "switched off"},
		{"asked for in trusted mode, with a notice", map[string]string{"CITYGRAPH_TRUSTED_DOCUMENTS": manifest, "CITYGRAPH_EXPLORE": "true"}, http.StatusOK, "trusted documents"},
		{"off while the playground is on", map[string]string{"CITYGRAPH_EXPLORE": "0", "CITYGRAPH_PLAYGROUND": "true"}, http.StatusNotFound, "switched off"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := serverWith(t, tc.env)
			for _, path := range []string{"/explore", "/explore/assets/explore.js"} {
				w := httptest.NewRecorder()
				h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, path, nil))
				if w.Code != tc.wantCode {
					t.Errorf("GET %s = %d, want %d; body %.200s", path, w.Code, tc.wantCode, w.Body.String())
				}
				if path == "/explore" && !strings.Contains(w.Body.String(), tc.wantBody) {
					t.Errorf("GET %s: body %.300s, want it to hold %q", path, w.Body.String(), tc.wantBody)
				}
			}
		})
	}
	t.Run("a switch that is not a boolean stops the start", func(t *testing.T) {
		_, _, err := loadConfig(nil, func(k string) string { return map[string]string{"CITYGRAPH_EXPLORE": "maybe"}[k] }, nil)
		if err == nil || !strings.Contains(err.Error(), "CITYGRAPH_EXPLORE") {
			t.Errorf("loadConfig = %v, want an error naming CITYGRAPH_EXPLORE", err)
		}
	})
}

// exploreNeighbourhood is the query the page sends for each expanded node,
// with its defaults: depth 1, every relation kind, today.
const exploreNeighbourhood = `query($id: ID!, $asOf: Date) { neighbourhood(id: $id, depth: 1, limit: 200, asOf: $asOf) { nodes { id } } }`

// neighbourhoodIDs asks the service, as any client would, for the nodes
// around id.
func neighbourhoodIDs(t *testing.T, base, id, asOf string) []string {
	t.Helper()
	return neighbourhoodIDsAs(t, base, "", id, asOf)
}

// neighbourhoodIDsAs is neighbourhoodIDs with an Authorization header
// (none when authorization is empty).
func neighbourhoodIDsAs(t *testing.T, base, authorization, id, asOf string) []string {
	t.Helper()
	vars := map[string]any{"id": id}
	if asOf != "" {
		vars["asOf"] = asOf
	}
	body, _ := json.Marshal(map[string]any{"query": exploreNeighbourhood, "variables": vars})
	req, err := http.NewRequest(http.MethodPost, base+"/graphql", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if authorization != "" {
		req.Header.Set("Authorization", authorization)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		Data struct {
			Neighbourhood struct{ Nodes []struct{ ID string } }
		}
		Errors []any
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || len(out.Errors) > 0 {
		t.Fatalf("neighbourhood of %s: %v %v", id, err, out.Errors)
	}
	var ids []string
	for _, n := range out.Data.Neighbourhood.Nodes {
		ids = append(ids, n.ID)
	}
	slices.Sort(ids)
	return ids
}

func union(lists ...[]string) []string {
	var all []string
	for _, l := range lists {
		all = append(all, l...)
	}
	slices.Sort(all)
	return slices.Compact(all)
}

// explorerSession is one headless Chromium on the explorer page, recording
// the hosts it sends requests to, its uncaught exceptions and CSP violations.
type explorerSession struct {
	ctx        context.Context
	mu         sync.Mutex
	hosts      map[string]bool
	exceptions []string
}

func (s *explorerSession) listen(ev any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch ev := ev.(type) {
	case *network.EventRequestWillBeSent:
		u, err := url.Parse(ev.Request.URL)
		if err != nil {
			s.hosts["unparsable URL "+ev.Request.URL] = true
			return
		}
		if u.Scheme != "data" && u.Scheme != "blob" { // these reach no host
			s.hosts[u.Host] = true
		}
	case *runtime.EventExceptionThrown:
		s.exceptions = append(s.exceptions, ev.ExceptionDetails.Text+" "+fmt.Sprint(ev.ExceptionDetails.Exception.Description))
	}
}

const cspHook = `window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', function (e) {
  window.__cspViolations.push(e.violatedDirective + ' blocked ' + (e.blockedURI || '(inline)'));
});`

func openExplorer(t *testing.T, pageURL string) *explorerSession {
	t.Helper()
	return openPage(t, pageURL, "#search-text")
}

// openPage opens pageURL in a fresh headless Chromium and waits until the
// element ready selects shows.
func openPage(t *testing.T, pageURL, ready string) *explorerSession {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(browsertest.Chromium(t)),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.WindowSize(1400, 900),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("no-first-run", true),
		// Nothing but loopback resolves, so no request could leave the machine.
		chromedp.Flag("host-resolver-rules", "MAP * ~NOTFOUND , EXCLUDE localhost , EXCLUDE 127.0.0.1 , EXCLUDE [::1]"),
	)
	ctx, cancel := context.WithTimeout(context.Background(), 3*browsertest.Timeout)
	t.Cleanup(cancel)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	t.Cleanup(cancelAlloc)
	s := &explorerSession{hosts: map[string]bool{}}
	tabCtx, cancelTab := chromedp.NewContext(allocCtx, chromedp.WithListener(s.listen))
	t.Cleanup(cancelTab)
	s.ctx = tabCtx
	addHook := chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: cspHook})
		return err
	})
	if err := chromedp.Do(tabCtx, addHook, chromedp.Navigate(pageURL), chromedp.WaitVisible(chromedp.CSS(ready))); err != nil {
		t.Fatalf("opening %s until %s shows: %v", pageURL, ready, err)
	}
	return s
}

func (s *explorerSession) do(t *testing.T, what string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(s.ctx, actions...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

func evaluate[T any](t *testing.T, s *explorerSession, js string) T {
	t.Helper()
	v, err := chromedp.Run(s.ctx, chromedp.Evaluate[T](js))
	if err != nil {
		t.Fatalf("evaluating %.80s: %v", js, err)
	}
	return v
}

// waitDrawn waits until the page has drawn the neighbourhoods of centres
// (space-separated IDs, in the order expanded) and returns the IDs of the
// nodes drawn. It polls a condition; the deadline is the session's.
func (s *explorerSession) waitDrawn(t *testing.T, centres string) []string {
	t.Helper()
	const js = `(function () { var g = document.getElementById('graph');
	  return g.dataset.state + '|' + g.dataset.centres + '|' + document.getElementById('status').textContent; })()`
	for {
		got := evaluate[string](t, s, js)
		parts := strings.SplitN(got, "|", 3)
		if parts[0] == "ready" && parts[1] == centres {
			if strings.HasPrefix(parts[2], "Could not") {
				t.Fatalf("the page says: %s", parts[2])
			}
			break
		}
		select {
		case <-s.ctx.Done():
			t.Fatalf("the page did not draw %q (last: %s): %v", centres, got, s.ctx.Err())
		case <-time.After(100 * time.Millisecond):
		}
	}
	ids := evaluate[[]string](t, s, `citygraphExplorer.cy.nodes().map(function (n) { return n.id(); })`)
	slices.Sort(ids)
	return ids
}

// waitFor polls a JavaScript condition until it is true.
func (s *explorerSession) waitFor(t *testing.T, what, js string) {
	t.Helper()
	for !evaluate[bool](t, s, js) {
		select {
		case <-s.ctx.Done():
			t.Fatalf("waiting for %s: %v", what, s.ctx.Err())
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func (s *explorerSession) check(t *testing.T) {
	t.Helper()
	for _, v := range evaluate[[]string](t, s, `window.__cspViolations || []`) {
		t.Errorf("Content-Security-Policy violation: %s", v)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, e := range s.exceptions {
		t.Errorf("uncaught exception in the page: %s", e)
	}
	var hosts []string
	for h := range s.hosts {
		hosts = append(hosts, h)
	}
	if len(hosts) == 0 {
		t.Errorf("no request recorded at all")
	}
	if bad := browsertest.NonLoopback(hosts); len(bad) > 0 {
		t.Errorf("the page sent requests beyond loopback: %v", bad)
	}
}

func TestExplorerInBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	browsertest.Chromium(t) // skip before starting a service when there is no browser
	base, _ := startService(t, map[string]string{})
	s := openExplorer(t, base+"/explore")
	defer s.check(t)

	const nanning = "City:nanning"
	s.do(t, "searching for Nanning",
		chromedp.SendKeys(chromedp.CSS("#search-text"), "Nanning"),
		chromedp.Click(chromedp.CSS(`#search-form button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`#hits button[data-id="`+nanning+`"]`)),
		chromedp.Click(chromedp.CSS(`#hits button[data-id="`+nanning+`"]`)),
	)
	want := neighbourhoodIDs(t, base, nanning, "")
	got := s.waitDrawn(t, nanning)
	if !slices.Equal(got, want) {
		t.Fatalf("drawn %d nodes %v;\nthe API's neighbourhood has %d: %v", len(got), got, len(want), want)
	}
	t.Logf("Nanning's neighbourhood: %d nodes drawn, as the API answers", len(got))

	t.Run("the side panel shows the node and its sources", func(t *testing.T) {
		s.waitFor(t, "Nanning's details", `document.querySelector('#details h3') !== null && document.querySelector('#details h3').textContent.indexOf('Nanning') === 0 && document.querySelectorAll('#details .sources a').length > 0`)
	})

	// Expand the neighbour whose own neighbourhood adds the most nodes, by a
	// click on the canvas where it is drawn (centred and zoomed in first).
	var target string
	var wantExpanded []string
	for _, id := range want {
		if id == nanning || strings.HasPrefix(id, "Source:") {
			continue
		}
		if u := union(want, neighbourhoodIDs(t, base, id, "")); len(u) > len(wantExpanded) {
			target, wantExpanded = id, u
		}
	}
	if len(wantExpanded) <= len(want) {
		t.Fatalf("no neighbour of Nanning adds nodes; the seed data changed?")
	}
	t.Run("a click on a node expands it as the API says", func(t *testing.T) {
		// Nodes drawn over the target are moved aside first, as a user would drag them.
		pos := evaluate[[]float64](t, s, fmt.Sprintf(`(function () { var cy = citygraphExplorer.cy, n = cy.getElementById(%q);
			cy.zoom(2.5); cy.center(n); var p = n.position();
			cy.nodes().forEach(function (o) { var q = o.position();
				if (o !== n && Math.abs(q.x - p.x) < 40 && Math.abs(q.y - p.y) < 40) { o.position({ x: p.x + 200, y: q.y }); } });
			var rp = n.renderedPosition(), r = document.getElementById('graph').getBoundingClientRect();
			return [r.left + rp.x, r.top + rp.y]; })()`, target))
		s.do(t, "clicking "+target, chromedp.MouseClickXY(pos[0], pos[1]))
		got := s.waitDrawn(t, nanning+" "+target)
		if !slices.Equal(got, wantExpanded) {
			t.Errorf("after expanding %s: drawn %d nodes %v;\nwant the API's %d: %v", target, len(got), got, len(wantExpanded), wantExpanded)
		}
		t.Logf("expanding %s: %d → %d nodes", target, len(want), len(got))
	})

	t.Run("the date slider redraws the graph as it stood", func(t *testing.T) {
		evaluate[bool](t, s, `(function () { var s = document.getElementById('as-of');
			s.value = '2008'; s.dispatchEvent(new Event('input')); s.dispatchEvent(new Event('change')); return true; })()`)
		s.waitFor(t, "the 2008 drawing", `document.getElementById('status').textContent.indexOf('as of the end of 2008') >= 0 && document.getElementById('graph').dataset.state === 'ready'`)
		got := s.waitDrawn(t, nanning+" "+target)
		want := union(neighbourhoodIDs(t, base, nanning, "2008-12-31"), neighbourhoodIDs(t, base, target, "2008-12-31"))
		if !slices.Equal(got, want) {
			t.Errorf("as of 2008: drawn %v, want the API's %v", got, want)
		}
		if len(got) >= len(wantExpanded) {
			t.Errorf("as of 2008 %d nodes are drawn, today %d; want fewer then", len(got), len(wantExpanded))
		}
		evaluate[bool](t, s, `(function () { var s = document.getElementById('as-of');
			s.value = s.max; s.dispatchEvent(new Event('input')); s.dispatchEvent(new Event('change')); return true; })()`)
		s.waitFor(t, "today's drawing", `document.getElementById('status').textContent.indexOf('as of') < 0 && document.getElementById('graph').dataset.state === 'ready' && document.getElementById('status').textContent.indexOf('nodes') > 0`)
	})

	t.Run("a relation filter keeps only partnerships", func(t *testing.T) {
		s.do(t, "choosing partnerships only",
			chromedp.Click(chromedp.CSS("#kinds-none")),
			chromedp.Click(chromedp.CSS("#kind-PARTNER_OF")),
		)
		s.waitFor(t, "the partnership drawing", `document.getElementById('graph').dataset.state === 'ready' && citygraphExplorer.cy.edges().length > 0 && citygraphExplorer.cy.edges().every(function (e) { return e.data('kind') === 'PARTNER_OF'; })`)
		s.waitDrawn(t, nanning+" "+target)
	})

	t.Run("paths between two cities are highlighted", func(t *testing.T) {
		to := evaluate[string](t, s, `(function () { var o = Array.from(document.querySelectorAll('#path-to option')).map(function (o) { return o.value; })
			.filter(function (v) { return v && v !== 'City:nanning'; }); return o[0] || ''; })()`)
		if to == "" {
			t.Fatal("no second city to link to Nanning")
		}
		s.do(t, "asking for paths",
			chromedp.SetValue(chromedp.CSS("#path-from"), nanning),
			chromedp.SetValue(chromedp.CSS("#path-to"), to),
			chromedp.Click(chromedp.CSS("#path-find")),
		)
		s.waitFor(t, "highlighted paths", `document.querySelectorAll('#path-list li').length > 0 && citygraphExplorer.cy.nodes('.path').length >= 2`)
		for _, id := range []string{nanning, to} {
			if !evaluate[bool](t, s, fmt.Sprintf(`citygraphExplorer.cy.getElementById(%q).hasClass('path')`, id)) {
				t.Errorf("%s is not highlighted", id)
			}
		}
	})

	t.Run("the picture saves as SVG and PNG", func(t *testing.T) {
		circles := evaluate[int](t, s, `new DOMParser().parseFromString(citygraphExplorer.svg(), 'image/svg+xml').querySelectorAll('circle').length`)
		if n := evaluate[int](t, s, `citygraphExplorer.cy.nodes().length`); circles != n {
			t.Errorf("the SVG has %d circles, the picture %d nodes", circles, n)
		}
		png := evaluate[string](t, s, `citygraphExplorer.cy.png({ full: true }).slice(0, 22)`)
		if png != "data:image/png;base64," {
			t.Errorf("PNG export = %q…, want a PNG data URL", png)
		}
		s.do(t, "clicking both save buttons", chromedp.Click(chromedp.CSS("#save-svg")), chromedp.Click(chromedp.CSS("#save-png")))
	})

	t.Run("without a credential the data downloads by a plain link", func(t *testing.T) {
		downloads := t.TempDir()
		s.do(t, "allowing downloads", chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := cdp.Call(ctx, tg, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
				Behavior: browser.SetDownloadBehaviorBehaviorAllow, DownloadPath: downloads})
			return err
		}))
		s.do(t, "downloading the neighbourhood as GraphML",
			chromedp.SetValue(chromedp.CSS("#export-format"), "graphml"),
			chromedp.Click(chromedp.CSS("#export-drawn")),
		)
		b, err := os.ReadFile(waitDownload(t, s.ctx, downloads, ".graphml"))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.HasPrefix(b, []byte("<?xml")) || !bytes.Contains(b, []byte("nanning")) {
			t.Errorf("the download is not GraphML of Nanning's neighbourhood: %.300s", b)
		}
	})

	t.Run("a relation's properties and sources show in the panel", func(t *testing.T) {
		evaluate[bool](t, s, `(citygraphExplorer.cy.edges('[kind = "PARTNER_OF"]')[0].emit('tap'), true)`)
		s.waitFor(t, "the relation's details", `document.querySelector('#details h3').textContent === 'partner of' && document.querySelectorAll('#details .sources li').length > 0`)
	})

	t.Run("the node list expands a node from the keyboard", func(t *testing.T) {
		next := evaluate[string](t, s, `(function () { var b = Array.from(document.querySelectorAll('#node-list button')).filter(function (b) {
			return document.getElementById('graph').dataset.centres.split(' ').indexOf(b.dataset.id) < 0; })[0]; return b ? b.dataset.id : ''; })()`)
		if next == "" {
			t.Fatal("every node in the list is expanded already")
		}
		centres := evaluate[string](t, s, `document.getElementById('graph').dataset.centres`)
		s.do(t, "pressing Enter on "+next,
			chromedp.Click(chromedp.CSS("#nodes-box summary")),
			chromedp.Focus(chromedp.CSS(`#node-list button[data-id="`+next+`"]`)),
			chromedp.KeyEvent("\r"),
		)
		s.waitDrawn(t, centres+" "+next)
	})

	t.Run("a search in Chinese finds Nanning", func(t *testing.T) {
		s.do(t, "searching for 南宁",
			chromedp.SetValue(chromedp.CSS("#search-text"), "南宁"),
			chromedp.Click(chromedp.CSS(`#search-form button[type=submit]`)),
		)
		s.waitFor(t, "a hit for 南宁", `document.querySelector('#hits button[data-id="City:nanning"]') !== null && document.getElementById('status').textContent.indexOf('南宁') >= 0`)
	})

	t.Run("a link to /explore#ID draws that node's neighbourhood", func(t *testing.T) {
		evaluate[bool](t, s, `(location.hash = '#City:davao', true)`)
		s.do(t, "reloading the page", chromedp.Reload())
		if got, want := s.waitDrawn(t, "City:davao"), neighbourhoodIDs(t, base, "City:davao", ""); !slices.Equal(got, want) {
			t.Errorf("drawn %v, want the API's %v", got, want)
		}
	})

	// CITYGRAPH_BROWSER_SCREENSHOT=file.png keeps a picture of the page, as
	// the playground's browser test does.
	if path := os.Getenv("CITYGRAPH_BROWSER_SCREENSHOT"); path != "" {
		png, err := chromedp.Run(s.ctx, chromedp.FullScreenshot(100))
		if err == nil {
			err = os.WriteFile(path, png, 0o644)
		}
		if err != nil {
			t.Errorf("screenshot: %v", err)
		}
	}
}
