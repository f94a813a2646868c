package seed_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/citygraph/citygraph/seed"
)

func TestCommand(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "bad.csv")
	if err := os.WriteFile(bad, []byte("city,partner,kind,status,since,through,note,sources\nnanning,nanning,sister_city,,,,,src\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name                string
		args                []string
		wantErr             bool
		wantOut, wantErrOut []string
	}{
		{"loads and prints a table", []string{"testdata/example"}, false,
			[]string{"node kind", "City", "PARTNER_OF", "loaded", "rows/s"}, nil},
		{"dry run says nothing was written", []string{"--dry-run", "testdata/example"}, false,
			[]string{"dry run, nothing was written", "Forum"}, nil},
		{"prints every problem as file:line: field", []string{bad}, true,
			nil, []string{bad + ":2: to: found City:nanning", "unknown Source:src"}},
		{"needs a path", nil, true, nil, []string{"usage: citygraph seed"}},
		{"-h prints the usage and is no failure", []string{"-h"}, false, nil, []string{"usage: citygraph seed", "-batch-rows"}},
		{"batch rows are accepted on the embedded store, which loads in one transaction", []string{"--batch-rows", "3", "testdata/example"}, false,
			[]string{"loaded", "PARTNER_OF"}, nil},
		{"missing path", []string{"testdata/nowhere"}, true, nil, []string{"testdata/nowhere: (file)"}},
		{"a dossier over --max-dossier-bytes", []string{"--max-dossier-bytes", "100", "testdata/example"}, true,
			nil, []string{"testdata/example/forum.yaml: (file size): found", "a dossier of at most 100 bytes"}},
		{"a CSV file over --max-csv-bytes", []string{"--max-csv-bytes", "100", "testdata/example"}, true,
			nil, []string{"testdata/example/cities.csv: (file size): found", "raise --max-csv-bytes"}},
		{"a dossier deeper than --max-depth", []string{"--max-depth", "3", "testdata/example"}, true,
			nil, []string{"testdata/example/forum.yaml:", "(nesting): found collections nested more than 3 deep"}},
		{"-h lists the limits", []string{"-h"}, false, nil, []string{"-max-dossier-bytes", "-max-csv-bytes", "-max-depth"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			err := seed.Command(context.Background(), newStore(t), tt.args, &out, &errOut)
			if (err != nil) != tt.wantErr {
				t.Fatalf("got error %v, want error %v; stderr:\n%s", err, tt.wantErr, errOut.String())
			}
			checkOutput(t, out.String(), errOut.String(), tt.wantOut, tt.wantErrOut)
		})
	}
}

func TestCommandRefusesNegativeBatchRows(t *testing.T) {
	var out, errOut bytes.Buffer
	err := seed.Command(context.Background(), newStore(t), []string{"--batch-rows", "-5", "testdata/example"}, &out, &errOut)
	if err == nil || !strings.Contains(err.Error(), "--batch-rows is -5") {
		t.Fatalf("got %v, want an error naming --batch-rows -5", err)
	}
	if out.Len() > 0 {
		t.Errorf("printed a report for a refused command:\n%s", out.String())
	}
}

func TestCommandRefusesLimitsThatAreNotPositive(t *testing.T) {
	for _, flag := range []string{"--max-dossier-bytes", "--max-csv-bytes", "--max-depth"} {
		for _, v := range []string{"0", "-1"} {
			t.Run(flag+" "+v, func(t *testing.T) {
				var out, errOut bytes.Buffer
				err := seed.Command(context.Background(), newStore(t), []string{flag, v, "testdata/example"}, &out, &errOut)
				if want := flag + " is " + v + "; give a positive number"; err == nil || !strings.Contains(err.Error(), want) {
					t.Fatalf("got %v, want an error containing %q", err, want)
				}
				if out.Len() > 0 {
					t.Errorf("printed a report for a refused command:\n%s", out.String())
				}
			})
		}
	}
}

// checkOutput checks that a command's stdout and stderr hold what they should.
func checkOutput(t *testing.T, out, errOut string, wantOut, wantErrOut []string) {
	t.Helper()
	for _, w := range wantOut {
		if !strings.Contains(out, w) {
			t.Errorf("stdout:\n%s\nwant it to contain %q", out, w)
		}
	}
	for _, w := range wantErrOut {
		if !strings.Contains(errOut, w) {
			t.Errorf("stderr:\n%s\nwant it to contain %q", errOut, w)
		}
	}
}
