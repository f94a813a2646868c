// Package embedded is citygraph's default store: the whole graph in memory,
// indexed for every read the domain.Store contract asks, and kept durable in
// one bbolt file. Writes validate everything first, then commit one bbolt
// transaction, and only then change the in-memory indexes, so a failed write
// leaves both disk and memory as they were.
package embedded

import (
	"context"
	"errors"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/citygraph/citygraph/domain"
)

// FileName is the bbolt file Open keeps in its directory.
const FileName = "citygraph.db"

// Store implements domain.Store. Reads run concurrently under a read lock,
// and go on while a write validates and commits to the file; a write
// holds the exclusive lock only to update memory (see Apply).
type Store struct {
	// wmu serialises the writers (Apply, Close); mu guards st and closed
	// for readers. A writer takes wmu before mu.
	wmu    sync.Mutex
	mu     sync.RWMutex
	db     *bolt.DB // nil when purely in memory
	st     *state
	closed bool
	// log and idempotent are the change log of a store without a file;
	// a store with one keeps them in it (see write.go).
	log        []domain.ChangeSet
	idempotent map[string]int64
}

var _ domain.Store = (*Store)(nil)

// Open opens (creating it if needed) the store in dir/citygraph.db and loads
// it into memory. Open("") returns a purely in-memory store.
func Open(dir string) (*Store, error) {
	s := &Store{st: newState(), idempotent: map[string]int64{}}
	if dir == "" {
		return s, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, domain.Internal(err, "creating the store directory "+dir)
	}
	path := filepath.Join(dir, FileName)
	// A large initial mmap (address space, not memory) spares a big batch
	// the repeated remapping that otherwise dominates its commit.
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: 5 * time.Second, InitialMmapSize: 1 << 30,
		FreelistType: bolt.FreelistMapType})
	if err != nil {
		if errors.Is(err, bolt.ErrTimeout) {
			return nil, domain.Unavailable(err, "the store file "+path+" is locked by another process")
		}
		return nil, domain.Internal(err, "opening the store file "+path)
	}
	if err := db.View(s.st.load); err != nil {
		db.Close()
		return nil, domain.Internal(err, "loading the store file "+path)
	}
	s.db = db
	return s, nil
}

// Ping reports EUNAVAILABLE once the store is closed.
func (s *Store) Ping(ctx context.Context) error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.ready(ctx)
}

// Close closes the file; later calls return EUNAVAILABLE. Closing twice is harmless.
func (s *Store) Close() error {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	if s.db != nil {
		if err := s.db.Close(); err != nil {
			return domain.Internal(err, "closing the store file")
		}
	}
	return nil
}

// ready is checked under the lock by every method.
func (s *Store) ready(ctx context.Context) error {
	if s.closed {
		return domain.Unavailable(nil, "the store is closed")
	}
	if err := ctx.Err(); err != nil {
		return contextDone(err, "waiting for the store", "fewer fields or smaller pages (first)")
	}
	return nil
}

// read runs f under the read lock once the store is ready.
func read[T any](s *Store, ctx context.Context, f func(st *state) (T, error)) (T, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if err := s.ready(ctx); err != nil {
		var zero T
		return zero, err
	}
	return f(s.st)
}

// edgeKindIndex numbers the edge kinds so adjacency can use arrays.
var edgeKindIndex = func() map[domain.EdgeKind]int {
	m := map[domain.EdgeKind]int{}
	for i, k := range domain.EdgeKinds {
		m[k] = i
	}
	return m
}()

// adjacency holds a node's edges per kind, leaving it (out) and reaching it
// (in). An undirected edge is in its From's out list and its To's in list.
type adjacency struct {
	out, in [][]*domain.Edge // indexed by edgeKindIndex
	// named holds the same relations in the default order (nameorder.go).
	named atomic.Pointer[nameLists]
	// node is the node itself (st.nodes'), so that a walk reaching it
	// through a default-order list need not look it up.
	node domain.Node
}

// state is the in-memory graph and its indexes. An update replaces values
// in place; a deletion rebuilds it (see apply).
type state struct {
	nodes  map[domain.NodeKey]domain.Node
	byKind map[domain.Kind][]string
	edges  map[domain.EdgeKey]*domain.Edge
	adj    map[domain.NodeKey]*adjacency
	// cityCountries: city slug → country codes (IN_COUNTRY).
	cityCountries map[string][]string
	// seats: organisation slug → city slugs (SEATED_IN); hqs: funding body → cities.
	seats, hqs map[string][]string
	// places: project slug → the cities and countries it is located in.
	places map[string][]domain.NodeKey
	// projects: project slug → its node, places and financings, also listed
	// in projectList; cityProjects: city slug → the projects located in it.
	// The funding analytics read these for every financing; working places
	// out per call, and finding each project through three maps, was most
	// of their cost on a large graph. Kept on every write.
	projects     map[string]*projectInfo
	projectList  []*projectInfo
	cityProjects map[string][]*projectInfo
	// cityAdj is the adjacency of each city, in byKind order, so rankings
	// walk a slice rather than look up every city.
	cityAdj []*adjacency
	// groupings: grouping slug → member country codes.
	groupings map[string]map[string]bool
	search    map[domain.NodeKey]*searchDoc
	// stale lists the nodes whose default-order lists a write dropped,
	// to be made again when it is done (nameorder.go).
	stale map[domain.NodeKey]struct{}
}

func newState() *state {
	return &state{
		nodes: map[domain.NodeKey]domain.Node{}, byKind: map[domain.Kind][]string{},
		edges: map[domain.EdgeKey]*domain.Edge{}, adj: map[domain.NodeKey]*adjacency{},
		cityCountries: map[string][]string{}, seats: map[string][]string{}, hqs: map[string][]string{},
		places: map[string][]domain.NodeKey{}, groupings: map[string]map[string]bool{},
		projects: map[string]*projectInfo{}, cityProjects: map[string][]*projectInfo{},
		search: map[domain.NodeKey]*searchDoc{}, stale: map[domain.NodeKey]struct{}{},
	}
}

// load reads the whole file into the indexes.
func (st *state) load(tx *bolt.Tx) error {
	for _, k := range domain.Kinds {
		b := tx.Bucket(nodeBucket(k))
		if b == nil {
			continue
		}
		if err := b.ForEach(func(_, v []byte) error {
			n, err := decodeNode(k, v)
			if err != nil {
				return err
			}
			st.putNode(n)
			return nil
		}); err != nil {
			return err
		}
	}
	b := tx.Bucket(edgesBucket)
	if b == nil {
		return nil
	}
	err := b.ForEach(func(_, v []byte) error {
		e, err := decodeEdge(v)
		if err != nil {
			return err
		}
		st.putEdge(e)
		return nil
	})
	st.sortStale()
	return err
}

// putNode stores n (already a private canonical copy) and indexes it.
func (st *state) putNode(n domain.Node) {
	k := n.Key()
	if _, ok := st.nodes[k]; !ok {
		st.byKind[k.Kind] = append(st.byKind[k.Kind], k.ID)
		if k.Kind == domain.KindCity {
			st.cityAdj = append(st.cityAdj, st.adjOf(k))
		}
	}
	if p, ok := n.(*domain.Project); ok {
		st.project(p.ID).node = p
	}
	st.renamed(k, st.nodes[k], n)
	st.nodes[k] = n
	if a := st.adj[k]; a != nil {
		a.node = n
	}
	st.search[k] = newSearchDoc(n)
}

// putEdge stores e (a private canonical copy, normalised) and indexes it.
func (st *state) putEdge(e *domain.Edge) {
	k := e.Key()
	if old, ok := st.edges[k]; ok {
		*old = *e            // adjacency lists hold old; its ends are the same
		st.dropNamed(e.From) // the default-order lists hold copies
		st.dropNamed(e.To)
		return
	}
	st.edges[k] = e
	i := edgeKindIndex[e.Kind]
	from, to := st.adjOf(e.From), st.adjOf(e.To)
	from.out[i] = append(from.out[i], e)
	to.in[i] = append(to.in[i], e)
	st.dropNamed(e.From)
	st.dropNamed(e.To)
	switch e.Kind {
	case domain.EdgeInCountry:
		st.cityCountries[e.From.ID] = append(st.cityCountries[e.From.ID], e.To.ID)
		for _, p := range st.cityProjects[e.From.ID] {
			st.placeProject(p)
		}
	case domain.EdgeSeatedIn:
		st.seats[e.From.ID] = append(st.seats[e.From.ID], e.To.ID)
	case domain.EdgeHeadquarteredIn:
		st.hqs[e.From.ID] = append(st.hqs[e.From.ID], e.To.ID)
	case domain.EdgeLocatedIn:
		st.places[e.From.ID] = append(st.places[e.From.ID], e.To)
		p := st.project(e.From.ID)
		if e.To.Kind == domain.KindCity {
			st.cityProjects[e.To.ID] = append(st.cityProjects[e.To.ID], p)
		}
		st.placeProject(p)
	case domain.EdgeMemberOf:
		if e.To.Kind == domain.KindGrouping {
			if st.groupings[e.To.ID] == nil {
				st.groupings[e.To.ID] = map[string]bool{}
			}
			st.groupings[e.To.ID][e.From.ID] = true
		}
	}
}

// projectInfo is what the funding analytics need of a project: the node,
// where it is (its cities, and its countries directly or through its
// cities, each once and sorted) and its adjacency, whose FINANCED in-list
// holds its financings.
type projectInfo struct {
	id                string
	node              *domain.Project
	cities, countries []string
	adj               *adjacency
}

func (st *state) project(id string) *projectInfo {
	p := st.projects[id]
	if p == nil {
		p = &projectInfo{id: id, adj: st.adjOf(domain.NodeKey{Kind: domain.KindProject, ID: id})}
		st.projects[id] = p
		st.projectList = append(st.projectList, p)
	}
	return p
}

// placeProject works out a project's places again after one changed.
func (st *state) placeProject(p *projectInfo) {
	var cities, countries []string
	for _, k := range st.places[p.id] {
		switch k.Kind {
		case domain.KindCity:
			cities = append(cities, k.ID)
			countries = append(countries, st.cityCountries[k.ID]...)
		case domain.KindCountry:
			countries = append(countries, k.ID)
		}
	}
	slices.Sort(cities)
	slices.Sort(countries)
	p.cities, p.countries = slices.Compact(cities), slices.Compact(countries)
}

// reserve makes room for n more edges at once when they would more than
// double the edge map, sparing a bulk load the map's repeated growth.
func (st *state) reserve(n int) {
	if n > len(st.edges) {
		m := make(map[domain.EdgeKey]*domain.Edge, len(st.edges)+n)
		maps.Copy(m, st.edges)
		st.edges = m
	}
}

func (st *state) adjOf(k domain.NodeKey) *adjacency {
	a := st.adj[k]
	if a == nil {
		a = &adjacency{out: make([][]*domain.Edge, len(domain.EdgeKinds)), in: make([][]*domain.Edge, len(domain.EdgeKinds)),
			node: st.nodes[k]}
		st.adj[k] = a
	}
	return a
}

// edgesOf returns k's edges of one kind in a direction (Both: out then
// in), as an array so that the hot paths calling it allocate nothing.
func (st *state) edgesOf(k domain.NodeKey, kind domain.EdgeKind, dir domain.Direction) [2][]*domain.Edge {
	a := st.adj[k]
	if a == nil {
		return [2][]*domain.Edge{}
	}
	i := edgeKindIndex[kind]
	switch dir {
	case domain.Out:
		return [2][]*domain.Edge{a.out[i]}
	case domain.In:
		return [2][]*domain.Edge{a.in[i]}
	}
	return [2][]*domain.Edge{a.out[i], a.in[i]}
}

// countriesOf returns the countries a node is in: a country itself, a
// city's country, the country of an organisation's seat or a funding
// body's headquarters, and a project's countries directly or through its
// cities. Other kinds are in no country.
func (st *state) countriesOf(k domain.NodeKey) []string {
	switch k.Kind {
	case domain.KindCountry:
		return []string{k.ID}
	case domain.KindCity:
		return st.cityCountries[k.ID]
	case domain.KindOrganization:
		return st.countriesOfCities(st.seats[k.ID])
	case domain.KindFundingBody:
		return st.countriesOfCities(st.hqs[k.ID])
	case domain.KindProject:
		var cs []string
		for _, p := range st.places[k.ID] {
			cs = append(cs, st.countriesOf(p)...)
		}
		return cs
	}
	return nil
}

func (st *state) countriesOfCities(cities []string) []string {
	var cs []string
	for _, c := range cities {
		cs = append(cs, st.cityCountries[c]...)
	}
	return cs
}

// inCountry reports whether node k is in the country and/or the grouping.
func (st *state) inPlace(k domain.NodeKey, country, grouping string) bool {
	if country == "" && grouping == "" {
		return true
	}
	cs := st.countriesOf(k)
	okCountry, okGrouping := country == "", grouping == ""
	for _, c := range cs {
		okCountry = okCountry || c == country
		okGrouping = okGrouping || st.groupings[grouping][c]
	}
	return okCountry && okGrouping
}
