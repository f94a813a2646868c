package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/chromedp"

	"github.com/citygraph/citygraph/playground/browsertest"
)

// readerOnlyService starts the service with readers required and returns
// its base URL, a reader's API key and an editor's (named "loader").
func readerOnlyService(t *testing.T) (base, key, editorKey string) {
	t.Helper()
	key, line := newKeyLine(t, "analyst", "reader")
	editorKey, editorLine := newKeyLine(t, "loader", "editor")
	base, _ = startService(t, map[string]string{"CITYGRAPH_API_KEYS": line + "," + editorLine, "CITYGRAPH_REQUIRE_READER": "true"})
	return base, key, editorKey
}

// createSource writes one source through the API as the editor, so that
// the change log holds a change set by "loader".
func createSource(t *testing.T, base, editorKey string) {
	t.Helper()
	body := `{"query":"mutation { createSource(input: {slug: \"credential-test\", name: \"Credential test\", publisher: \"citygraph tests\"}) { changeSeq } }"}`
	req, err := http.NewRequest(http.MethodPost, base+"/graphql", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+editorKey)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(b), "changeSeq") || strings.Contains(string(b), `"errors"`) {
		t.Fatalf("createSource: %d %s", resp.StatusCode, b)
	}
}

// enterCredential types credential into the page's box and submits it.
func (s *explorerSession) enterCredential(t *testing.T, credential string) {
	t.Helper()
	evaluate[bool](t, s, `(document.getElementById('credential').value = '', true)`)
	s.do(t, "entering the credential",
		chromedp.SendKeys(chromedp.CSS("#credential"), credential),
		chromedp.Click(chromedp.CSS(`#credential-form button[type=submit]`)),
	)
}

// checkKeptInSessionOnly checks that the page keeps credential in
// sessionStorage, and not in localStorage, its URL or a cookie.
func (s *explorerSession) checkKeptInSessionOnly(t *testing.T, credential string) {
	t.Helper()
	if got := evaluate[string](t, s, `sessionStorage.getItem('citygraph.credential') || ''`); got != credential {
		t.Errorf("sessionStorage holds %q, want the credential entered", got)
	}
	for what, js := range map[string]string{
		"localStorage": `JSON.stringify(Object.assign({}, localStorage))`,
		"the URL":      `location.href`,
		"a cookie":     `document.cookie`,
	} {
		if got := evaluate[string](t, s, js); strings.Contains(got, credential) {
			t.Errorf("%s holds the credential: %.200s", what, got)
		}
	}
}

// waitMessage waits until the message next to the credential box shows
// (holding want) or, with want empty, is hidden.
func (s *explorerSession) waitMessage(t *testing.T, want string) {
	t.Helper()
	if want == "" {
		s.waitFor(t, "the credential message to go", `document.getElementById('credential-message').hidden`)
		return
	}
	s.waitFor(t, fmt.Sprintf("the credential message %q", want), fmt.Sprintf(
		`(function () { var m = document.getElementById('credential-message'); return !m.hidden && m.textContent.indexOf(%q) >= 0; })()`, want))
}

const needsCredential = "This service needs a credential: paste an API key or token."

func TestPlaygroundSendsCredential(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	browsertest.Chromium(t)
	base, key, editorKey := readerOnlyService(t)
	s := openPage(t, base+"/", ".graphiql-container .graphiql-execute-button")
	defer s.check(t)

	const result = `(function () { var cm = document.querySelector('.result-window .CodeMirror');
	  return cm && cm.CodeMirror ? cm.CodeMirror.getValue() : ''; })()`
	execute := chromedp.CSS(".graphiql-container .graphiql-execute-button")

	t.Run("without a credential the page says one is needed", func(t *testing.T) {
		s.waitMessage(t, needsCredential) // the schema's introspection was refused
		s.do(t, "running the first example", chromedp.Click(execute))
		s.waitFor(t, "the query's refusal in the result pane", result+`.indexOf('forum needs a credential') >= 0`)
	})

	t.Run("with the key the query runs", func(t *testing.T) {
		s.enterCredential(t, key)
		s.waitMessage(t, "")
		s.do(t, "running the first example", chromedp.Click(execute))
		s.waitFor(t, "the forum in the result pane", result+`.indexOf('"forum"') >= 0`)
		got := evaluate[string](t, s, result)
		if strings.Contains(got, `"errors"`) {
			t.Errorf("result pane = %.400s, want data without errors", got)
		}
		if !evaluate[bool](t, s, `document.getElementById('credential-message').hidden`) {
			t.Errorf("the credential message still shows after a good answer")
		}
		s.checkKeptInSessionOnly(t, key)
	})

	t.Run("a subscription sends the key in connection_init", func(t *testing.T) {
		createSource(t, base, editorKey)
		evaluate[bool](t, s, `(document.querySelector('.graphiql-query-editor .CodeMirror').CodeMirror.setValue(
			'subscription Feed { changes(after: 0) { seq author } }'), true)`)
		// GraphiQL takes up an edit after a pause; the tab's title shows when it has.
		s.waitFor(t, "the tab titled Feed", `Array.from(document.querySelectorAll('.graphiql-tab')).some(function (t) { return t.textContent.indexOf('Feed') >= 0; })`)
		s.do(t, "subscribing to the feed", chromedp.Click(execute))
		// The feed refuses an anonymous subscriber; with the key it delivers the write.
		s.waitFor(t, "the editor's change set in the result pane", result+`.indexOf('"author": "loader"') >= 0`)
		s.do(t, "stopping the subscription", chromedp.Click(execute))
	})

	t.Run("a write beyond the key's role is said to be forbidden", func(t *testing.T) {
		evaluate[bool](t, s, `(document.querySelector('.graphiql-query-editor .CodeMirror').CodeMirror.setValue(
			'mutation Write { createSource(input: {slug: "by-a-reader", name: "By a reader", publisher: "tests"}) { changeSeq } }'), true)`)
		s.waitFor(t, "the tab titled Write", `Array.from(document.querySelectorAll('.graphiql-tab')).some(function (t) { return t.textContent.indexOf('Write') >= 0; })`)
		s.do(t, "running the mutation", chromedp.Click(execute))
		s.waitMessage(t, "The credential given may not do this")
		s.waitFor(t, "FORBIDDEN in the result pane", result+`.indexOf('FORBIDDEN') >= 0`)
	})

	t.Run("forget clears the credential", func(t *testing.T) {
		s.do(t, "forgetting the credential", chromedp.Click(chromedp.CSS("#credential-forget")))
		if got := evaluate[string](t, s, `sessionStorage.getItem('citygraph.credential') || ''`); got != "" {
			t.Errorf("sessionStorage holds %q after Forget, want nothing", got)
		}
		s.waitMessage(t, needsCredential) // the schema is fetched again, anonymously
	})
}

func TestExplorerSendsCredential(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	browsertest.Chromium(t)
	base, key, _ := readerOnlyService(t)
	s := openExplorer(t, base+"/explore")
	defer s.check(t)
	downloads := t.TempDir()
	s.do(t, "allowing downloads", chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
			Behavior: browser.SetDownloadBehaviorBehaviorAllow, DownloadPath: downloads})
		return err
	}))

	const nanning = "City:nanning"
	search := func(t *testing.T) {
		t.Helper()
		s.do(t, "searching for Nanning",
			chromedp.SetValue(chromedp.CSS("#search-text"), "Nanning"),
			chromedp.Click(chromedp.CSS(`#search-form button[type=submit]`)),
		)
	}

	t.Run("without a credential the page says one is needed", func(t *testing.T) {
		search(t)
		s.waitMessage(t, needsCredential)
		s.waitFor(t, "the refusal in the status line", `document.getElementById('status').textContent.indexOf('UNAUTHENTICATED') >= 0`)
	})

	t.Run("a wrong key is said to be refused", func(t *testing.T) {
		s.enterCredential(t, "cgk_not-a-key-of-this-service")
		search(t)
		s.waitMessage(t, "The service refused the credential given")
	})

	t.Run("with the key the explorer draws what the API gives", func(t *testing.T) {
		s.enterCredential(t, "Bearer "+key) // pasted as a header value: the key is kept
		search(t)
		s.do(t, "choosing Nanning",
			chromedp.WaitVisible(chromedp.CSS(`#hits button[data-id="`+nanning+`"]`)),
			chromedp.Click(chromedp.CSS(`#hits button[data-id="`+nanning+`"]`)),
		)
		got := s.waitDrawn(t, nanning)
		want := neighbourhoodIDsAs(t, base, "Bearer "+key, nanning, "")
		if !slices.Equal(got, want) {
			t.Fatalf("drawn %d nodes %v;\nthe API's neighbourhood has %d: %v", len(got), got, len(want), want)
		}
		if n := evaluate[string](t, s, `document.getElementById('node-count').textContent`); n != fmt.Sprint(len(want)) {
			t.Errorf("the node count says %s, the API gives %d nodes", n, len(want))
		}
		if !evaluate[bool](t, s, `document.getElementById('credential-message').hidden`) {
			t.Errorf("the credential message still shows after good answers")
		}
		s.checkKeptInSessionOnly(t, key)
	})

	t.Run("the export downloads with the credential", func(t *testing.T) {
		s.do(t, "downloading the neighbourhood as JSON lines",
			chromedp.SetValue(chromedp.CSS("#export-format"), "jsonl"),
			chromedp.Click(chromedp.CSS("#export-drawn")),
		)
		s.waitFor(t, "the download to finish", `document.getElementById('status').textContent.indexOf('Downloaded ') === 0 ||
			document.getElementById('status').classList.contains('error')`)
		if status := evaluate[string](t, s, `document.getElementById('status').textContent`); !strings.HasPrefix(status, "Downloaded citygraph-") {
			t.Fatalf("status = %q, want the file downloaded", status)
		}
		path := waitDownload(t, s.ctx, downloads, ".jsonl")
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimSpace(string(b)), "\n")
		for i, l := range lines {
			if !json.Valid([]byte(l)) {
				t.Fatalf("%s line %d is not JSON: %.200s", filepath.Base(path), i+1, l)
			}
		}
		if !strings.Contains(string(b), "nanning") || len(lines) < 2 {
			t.Errorf("%s has %d lines without Nanning, want Nanning's neighbourhood: %.300s", filepath.Base(path), len(lines), b)
		}
	})
}

// waitDownload waits until dir holds a finished download whose name ends
// in suffix, and returns its path; ctx is the deadline.
func waitDownload(t *testing.T, ctx context.Context, dir, suffix string) string {
	t.Helper()
	for {
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			if strings.HasSuffix(e.Name(), suffix) {
				return filepath.Join(dir, e.Name())
			}
		}
		select {
		case <-ctx.Done():
			t.Fatalf("no *%s file in the download directory (%d entries): %v", suffix, len(entries), ctx.Err())
		case <-time.After(100 * time.Millisecond):
		}
	}
}
