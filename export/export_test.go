package export

import "testing"

// SplitFilesAt makes the seed zip cut its CSV files and dossiers at the
// given sizes for the rest of the test.
func SplitFilesAt(t testing.TB, csvBytes int64, dossierBytes int) {
	oldCSV, oldDossier := maxCSVPart, maxDossierPart
	maxCSVPart, maxDossierPart = csvBytes, dossierBytes
	t.Cleanup(func() { maxCSVPart, maxDossierPart = oldCSV, oldDossier })
}
