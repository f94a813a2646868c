package neo4jstore_test

import (
	"context"
	"reflect"
	"testing"

	"github.com/citygraph/citygraph/domain"
)

// Sources stored before they held a list kept their addresses in a url
// string joined by " ; "; they read back as the list, and the next write
// of the source stores the urls list in its place.
func TestSourceURLsReadFromAnOldURLProperty(t *testing.T) {
	s := openEmpty(t)
	cfg := serverConfig(t)
	ctx := context.Background()
	src := &domain.Source{Meta: domain.Meta{ID: "old-source", Name: "Old"}, Publisher: "Xinhua"}
	if _, err := s.Write(ctx, &domain.Write{Operation: "createSource", Author: "t", Nodes: []domain.NodeChange{{Mode: domain.Create, Node: src}}}); err != nil {
		t.Fatal(err)
	}
	key := src.Key()
	execDirect(t, directDriver(t, cfg), cfg, `MATCH (n:Entity {key: $key}) REMOVE n.urls SET n.url = $url`,
		map[string]any{"key": key.String(), "url": "http://a.example/1 ; https://b.example/2"})
	read := func() []string {
		t.Helper()
		ns, err := s.Nodes(ctx, []domain.NodeKey{key})
		if err != nil || len(ns) != 1 || ns[0] == nil {
			t.Fatalf("Nodes: %v, %v", ns, err)
		}
		return ns[0].(*domain.Source).URLs
	}
	want := []string{"http://a.example/1", "https://b.example/2"}
	if got := read(); !reflect.DeepEqual(got, want) {
		t.Fatalf("the old property reads as %q, want %q", got, want)
	}
	change := &domain.Source{Meta: domain.Meta{ID: "old-source"}, Author: "someone"}
	if _, err := s.Write(ctx, &domain.Write{Operation: "updateSource", Author: "t", Nodes: []domain.NodeChange{{Mode: domain.Update, Node: change}}}); err != nil {
		t.Fatal(err)
	}
	recs := execDirect(t, directDriver(t, cfg), cfg, `MATCH (n:Entity {key: $key}) RETURN n.url AS url, n.urls AS urls`, map[string]any{"key": key.String()})
	if got, _ := recs[0].Get("url"); got != nil {
		t.Errorf("after a write the old url property is still %v", got)
	}
	if got, _ := recs[0].Get("urls"); !reflect.DeepEqual(got, []any{"http://a.example/1", "https://b.example/2"}) {
		t.Errorf("after a write urls is %v, want the list", got)
	}
}
