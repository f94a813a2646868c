// Package browsertest drives a headless Chromium against a GraphiQL
// playground page (package playground) for end-to-end tests: it opens the
// page, runs the open tab's query and reports what the result pane shows and
// which hosts the page sent requests to.
//
// Chromium is found through the CHROMIUM environment variable or as
// "chromium" (Debian's package: apt-get install -y chromium) or
// "chromium-browser" on PATH. When it is missing the test is skipped, or
// fails when CITYGRAPH_REQUIRE_BROWSER=1 (as CI sets it).
//
// When CITYGRAPH_BROWSER_SCREENSHOT names a file, RunQuery also writes a PNG
// screenshot of the page, taken after the result has arrived, to it.
package browsertest

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// Timeout bounds one RunQuery call: browser start, page load, query.
const Timeout = 60 * time.Second

// Chromium returns the path of the Chromium binary to use. When there is none
// it skips the test, or fails it when CITYGRAPH_REQUIRE_BROWSER=1.
func Chromium(t testing.TB) string {
	t.Helper()
	if p := os.Getenv("CHROMIUM"); p != "" {
		path, err := exec.LookPath(p)
		if err != nil {
			t.Fatalf("CHROMIUM=%q: %v", p, err)
		}
		return path
	}
	for _, name := range []string{"chromium", "chromium-browser"} {
		if path, err := exec.LookPath(name); err == nil {
			return path
		}
	}
	const msg = "headless Chromium not found: install it with `apt-get install -y chromium` or set CHROMIUM to its path"
	if os.Getenv("CITYGRAPH_REQUIRE_BROWSER") == "1" {
		t.Fatal(msg + " (CITYGRAPH_REQUIRE_BROWSER=1 makes this a failure)")
	}
	t.Skip(msg)
	return ""
}

// cspHook records Content-Security-Policy violations of the page; CDP runs
// it in every document before the page's own scripts.
const cspHook = `window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', function (e) {
  window.__cspViolations.push(e.violatedDirective + ' blocked ' + (e.blockedURI || '(inline)'));
});`

// resultJS reads the text of GraphiQL's result pane (a CodeMirror 5 editor).
const resultJS = `(function () {
  var cm = document.querySelector('.result-window .CodeMirror');
  if (cm && cm.CodeMirror) { return cm.CodeMirror.getValue(); }
  var pane = document.querySelector('.result-window');
  return pane ? pane.innerText : '';
})()`

// RunQuery opens the playground page at pageURL in a fresh headless
// Chromium, waits until GraphiQL has rendered, clicks the execute button and
// waits until the result pane shows a response. It returns the result pane's
// text and every host (host:port, sorted, without repeats) that the page
// sent a request to; data: and blob: URLs, which reach no host, are left out.
//
// The test fails on any failure to do so, on an uncaught JavaScript
// exception in the page and on any Content-Security-Policy violation. It is
// skipped when Chromium is missing (see [Chromium]).
func RunQuery(t testing.TB, pageURL string) (result string, hosts []string) {
	t.Helper()
	execPath := Chromium(t)

	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(execPath),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.NoSandbox, // the tests run as root in containers
		chromedp.DisableGPU,
		chromedp.WindowSize(1280, 800),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-first-run", true),
		// Nothing but loopback resolves, so that no request can leave the
		// machine even if the page or the browser tried.
		chromedp.Flag("host-resolver-rules", "MAP * ~NOTFOUND , EXCLUDE localhost , EXCLUDE 127.0.0.1 , EXCLUDE [::1]"),
	)
	ctx, cancel := context.WithTimeout(context.Background(), Timeout)
	defer cancel()
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	defer cancelAlloc()

	var (
		mu         sync.Mutex
		seen       = map[string]bool{}
		exceptions []string
		// After the click: the POST requests sent, and how many of them
		// have finished (or failed).
		clicked  bool
		posts    = map[network.RequestID]bool{}
		finished int
	)
	listener := func(ev any) {
		mu.Lock()
		defer mu.Unlock()
		switch ev := ev.(type) {
		case *network.EventLoadingFinished:
			if posts[ev.RequestID] {
				finished++
			}
		case *network.EventLoadingFailed:
			if posts[ev.RequestID] {
				finished++
			}
		case *network.EventRequestWillBeSent:
			if clicked && ev.Request.Method == "POST" {
				posts[ev.RequestID] = true
			}
			u, err := url.Parse(ev.Request.URL)
			if err != nil {
				seen["unparsable URL "+ev.Request.URL] = true
				return
			}
			switch u.Scheme {
			case "data", "blob":
				return
			}
			seen[u.Host] = true
		case *runtime.EventExceptionThrown:
			exceptions = append(exceptions, exceptionText(ev.ExceptionDetails))
		}
	}
	tabCtx, cancelTab := chromedp.NewContext(allocCtx, chromedp.WithListener(listener))
	defer cancelTab()

	addHook := chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, page.AddScriptToEvaluateOnNewDocument,
			page.AddScriptToEvaluateOnNewDocumentParams{Source: cspHook})
		return err
	})
	execute := chromedp.CSS(".graphiql-container .graphiql-execute-button")
	if err := chromedp.Do(tabCtx,
		addHook,
		chromedp.Navigate(pageURL),
		chromedp.WaitVisible(execute),
	); err != nil {
		t.Fatalf("browsertest: loading %s until GraphiQL shows its execute button: %v", pageURL, err)
	}
	before, err := chromedp.Run(tabCtx, chromedp.Evaluate[string](resultJS))
	if err != nil {
		t.Fatalf("browsertest: reading the result pane: %v", err)
	}
	mu.Lock()
	clicked = true
	mu.Unlock()
	if err := chromedp.Do(tabCtx, chromedp.Click(execute)); err != nil {
		t.Fatalf("browsertest: clicking the execute button: %v", err)
	}
	// The result is in once the pane shows something new, or, when the
	// answer equals what the pane showed already (GraphiQL shows a failed
	// schema fetch there), a moment after the query's response arrived.
	var answeredAt time.Time
	for {
		result, err = chromedp.Run(tabCtx, chromedp.Evaluate[string](resultJS))
		if err != nil {
			t.Fatalf("browsertest: reading the result pane: %v", err)
		}
		mu.Lock()
		answered := finished > 0
		mu.Unlock()
		if answered && answeredAt.IsZero() {
			answeredAt = time.Now()
		}
		if strings.TrimSpace(result) != "" && (result != before || answered && time.Since(answeredAt) > 500*time.Millisecond) {
			break
		}
		select {
		case <-tabCtx.Done():
			t.Fatalf("browsertest: no result in the result pane after clicking the execute button (pane: %q, response arrived: %v): %v", result, answered, tabCtx.Err())
		case <-time.After(100 * time.Millisecond):
		}
	}

	if path := os.Getenv("CITYGRAPH_BROWSER_SCREENSHOT"); path != "" {
		png, err := chromedp.Run(tabCtx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Errorf("browsertest: screenshot: %v", err)
		} else if err := os.WriteFile(path, png, 0o644); err != nil {
			t.Errorf("browsertest: %v", err)
		}
	}

	violations, err := chromedp.Run(tabCtx, chromedp.Evaluate[[]string](`window.__cspViolations || []`))
	if err != nil {
		t.Errorf("browsertest: reading CSP violations: %v", err)
	}
	for _, v := range violations {
		t.Errorf("browsertest: Content-Security-Policy violation: %s", v)
	}

	mu.Lock()
	for h := range seen {
		hosts = append(hosts, h)
	}
	for _, e := range exceptions {
		t.Errorf("browsertest: uncaught exception in the page: %s", e)
	}
	mu.Unlock()
	slices.Sort(hosts)
	return result, hosts
}

// NonLoopback returns the hosts (as RunQuery returns them, host or
// host:port) that are not localhost or a loopback address.
func NonLoopback(hosts []string) []string {
	var out []string
	for _, h := range hosts {
		name := h
		if host, _, err := net.SplitHostPort(h); err == nil {
			name = host
		}
		name = strings.TrimSuffix(strings.TrimPrefix(name, "["), "]")
		if name == "localhost" {
			continue
		}
		if ip := net.ParseIP(name); ip != nil && ip.IsLoopback() {
			continue
		}
		out = append(out, h)
	}
	return out
}

func exceptionText(d *runtime.ExceptionDetails) string {
	if d == nil {
		return "(no details)"
	}
	s := d.Text
	if d.Exception != nil && d.Exception.Description != "" {
		s += " " + d.Exception.Description
	}
	return fmt.Sprintf("%s (%s:%d:%d)", s, d.URL, d.LineNumber, d.ColumnNumber)
}
