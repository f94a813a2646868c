// Package seedtest generates bulk seed files and benchmarks loading them,
// so that every store (embedded, Neo4j) measures the same load.
package seedtest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/citygraph/citygraph/domain"
	"github.com/citygraph/citygraph/seed"
)

// WritePartnerships writes into dir a dossier with one source and two
// countries, a cities CSV, and a partnerships CSV of n rows (distinct city
// pairs), and returns the number of data rows written in all CSVs.
func WritePartnerships(dir string, n int) (rows int, err error) {
	cities := 2
	for cities*(cities-1)/2 < n {
		cities *= 2
	}
	ref := "sources:\n  - {id: bench, title: Benchmark data, url: \"https://example.org/bench\"}\n" +
		"countries:\n  - {id: CN, name: China, sources: [bench]}\n  - {id: VN, name: Viet Nam, sources: [bench]}\n"
	if err := os.WriteFile(filepath.Join(dir, "ref.yaml"), []byte(ref), 0o644); err != nil {
		return 0, err
	}
	var b strings.Builder
	b.WriteString(strings.Join(seed.CSVHeaders["cities"], ",") + "\n")
	for i := 0; i < cities; i++ {
		country := "CN"
		if i%2 == 1 {
			country = "VN"
		}
		fmt.Fprintf(&b, "c%d,City %d,,%s,city,,,%.4f,%.4f,,,,bench\n", i, i, country, float64(i%180)-89.5, float64(i%360)-179.5)
	}
	if err := os.WriteFile(filepath.Join(dir, "cities.csv"), []byte(b.String()), 0o644); err != nil {
		return 0, err
	}
	b.Reset()
	b.WriteString(strings.Join(seed.CSVHeaders["partnerships"], ",") + "\n")
	kinds := []string{"sister_city", "friendship_city", "cooperation"}
	written := 0
	for i := 0; i < cities && written < n; i++ {
		for j := i + 1; j < cities && written < n; j++ {
			fmt.Fprintf(&b, "c%d,c%d,%s,,%d,,,bench\n", i, j, kinds[written%3], 1980+written%45)
			written++
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "partnerships.csv"), []byte(b.String()), 0o644); err != nil {
		return 0, err
	}
	return cities + written, nil
}

// BenchmarkLoad loads n generated partnership rows (and the cities they
// need) into a fresh store from newStore on each iteration, and reports
// rows/s. A Neo4j run passes a constructor that opens a clean database.
func BenchmarkLoad(b *testing.B, newStore func(testing.TB) domain.Store, n int) {
	dir := b.TempDir()
	if _, err := WritePartnerships(dir, n); err != nil {
		b.Fatal(err)
	}
	fsys := os.DirFS(dir)
	var rows int
	var elapsed float64
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		st := newStore(b)
		b.StartTimer()
		res, err := seed.Load(context.Background(), st, fsys, []string{"."}, seed.Options{})
		if err != nil {
			b.Fatal(err)
		}
		rows += res.Rows
		elapsed += res.Elapsed.Seconds()
		b.StopTimer()
		st.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(rows)/elapsed, "rows/s")
}
