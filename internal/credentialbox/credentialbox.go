// Package credentialbox holds the browser script of the credential box
// that the playground and the explorer both show: one file, embedded once,
// that each page's asset set serves beside its own files (webassets.New's
// extra file systems). It keeps an API key or token in sessionStorage and
// sends it as "Authorization: Bearer …" on the page's requests.
package credentialbox

import "embed"

// Script is the script's file name in the asset sets.
const Script = "credential.js"

// Files holds Script.
//
//go:embed credential.js
var Files embed.FS
