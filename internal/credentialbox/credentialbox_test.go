package credentialbox_test

import (
	"bytes"
	"io/fs"
	"testing"

	"github.com/citygraph/citygraph/internal/credentialbox"
)

// TestScriptKeepsTheCredentialInTheSession: the credential lives in
// sessionStorage only, never in localStorage or a cookie, and is never
// logged to the console.
func TestScriptKeepsTheCredentialInTheSession(t *testing.T) {
	script, err := fs.ReadFile(credentialbox.Files, credentialbox.Script)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(script, []byte("sessionStorage")) {
		t.Errorf("%s does not use sessionStorage; the credential must be kept there", credentialbox.Script)
	}
	for _, bad := range []string{"localStorage.", "document.cookie", "console."} {
		if bytes.Contains(script, []byte(bad)) {
			t.Errorf("%s uses %s: the credential is kept in sessionStorage only and never logged", credentialbox.Script, bad)
		}
	}
}
