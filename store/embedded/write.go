package embedded

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/citygraph/citygraph/domain"
)

var _ domain.Writer = (*Store)(nil)

// Write checks w (domain.CheckWrite) and makes it, with its change set, in
// one bbolt transaction; memory changes only after it commits. See
// domain.Writer.
func (s *Store) Write(ctx context.Context, w *domain.Write) (*domain.ChangeSet, error) {
	return s.write(ctx, w, true)
}

// write makes w; record says whether a write that changes nothing is
// recorded (a mutation is, a seed load that finds everything unchanged is
// not).
func (s *Store) write(ctx context.Context, w *domain.Write, record bool) (*domain.ChangeSet, error) {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	if w == nil {
		return nil, domain.Errorf(domain.EINVALID, "no write to apply")
	}
	// Only writers change the state, and this one holds wmu: what the
	// check reads stays true until the swap below.
	var replay *domain.ChangeSet
	p, err := read(s, ctx, func(st *state) (*domain.WritePlan, error) {
		if w.IdempotencyKey != "" && !w.DryRun {
			cs, err := s.recorded(w.Author, w.IdempotencyKey)
			if err != nil || cs != nil {
				replay = cs
				return nil, err
			}
		}
		return domain.CheckWrite(ctx, w, st)
	})
	if err != nil || replay != nil {
		return replay, err
	}
	set := p.Set
	if w.DryRun || (!record && !p.Changes() && w.IdempotencyKey == "") {
		return &set, nil
	}
	set.At = domain.RecordedAt(time.Now())
	if s.db != nil {
		if hook := testHookWriting; hook != nil {
			hook()
		}
		if err := s.db.Update(func(tx *bolt.Tx) error { return commit(tx, p, &set) }); err != nil {
			return nil, domain.Internal(err, "writing to the store file")
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.db == nil {
		// In memory the log is the state's: readers take s.mu to read it
		// (readLog), so it grows under the same lock as the state.
		set.Seq = int64(len(s.log)) + 1
		s.log = append(s.log, set)
		if set.IdempotencyKey != "" {
			s.idempotent[idempotencyID(set.Author, set.IdempotencyKey)] = set.Seq
		}
	}
	s.st.apply(p)
	return &set, nil
}

// commit writes a plan and its change set in tx, numbering the set with
// the log's bbolt sequence, which rolls back with the transaction, so
// that numbers have no gaps.
func commit(tx *bolt.Tx, p *domain.WritePlan, set *domain.ChangeSet) error {
	eb, err := tx.CreateBucketIfNotExists(edgesBucket)
	if err != nil {
		return err
	}
	for _, k := range p.DeleteEdges {
		if err := eb.Delete(edgeDiskKey(k)); err != nil {
			return err
		}
	}
	for _, k := range p.DeleteNodes {
		if b := tx.Bucket(nodeBucket(k.Kind)); b != nil {
			if err := b.Delete([]byte(k.ID)); err != nil {
				return err
			}
		}
	}
	for _, n := range p.Nodes {
		data, err := encodeNode(n)
		if err != nil {
			return err
		}
		b, err := tx.CreateBucketIfNotExists(nodeBucket(n.Key().Kind))
		if err != nil {
			return err
		}
		if err := b.Put([]byte(n.Base().ID), data); err != nil {
			return err
		}
	}
	if hook := testHookCommit; hook != nil {
		if err := hook(); err != nil {
			return err
		}
	}
	// Keys in order: bbolt appends sorted keys far faster than scattered ones.
	type edgeWrite struct{ key, data []byte }
	ws := make([]edgeWrite, len(p.Edges))
	for i, e := range p.Edges {
		data, _ := encodeEdge(e) // never fails
		ws[i] = edgeWrite{edgeDiskKey(e.Key()), data}
	}
	slices.SortFunc(ws, func(a, b edgeWrite) int { return bytes.Compare(a.key, b.key) })
	for _, w := range ws {
		if err := eb.Put(w.key, w.data); err != nil {
			return err
		}
	}
	return record(tx, set)
}

// testHookCommit, when a test sets it, runs inside the write's transaction
// after its nodes are written and before its relations; an error it
// returns fails the write there, half made.
var testHookCommit func() error

// record appends set to the log in tx and indexes it.
func record(tx *bolt.Tx, set *domain.ChangeSet) error {
	cb, err := tx.CreateBucketIfNotExists(changesBucket)
	if err != nil {
		return err
	}
	seq, err := cb.NextSequence()
	if err != nil {
		return err
	}
	set.Seq = int64(seq)
	data, err := json.Marshal(set)
	if err != nil {
		return err
	}
	if err := cb.Put(seqKey(set.Seq), data); err != nil {
		return err
	}
	hb, err := tx.CreateBucketIfNotExists(historyBucket)
	if err != nil {
		return err
	}
	for _, k := range set.Touches() {
		if err := hb.Put(historyKey(k, set.Seq), nil); err != nil {
			return err
		}
	}
	if set.IdempotencyKey == "" {
		return nil
	}
	ib, err := tx.CreateBucketIfNotExists(idempotencyBucket)
	if err != nil {
		return err
	}
	return ib.Put([]byte(idempotencyID(set.Author, set.IdempotencyKey)), seqKey(set.Seq))
}

// recorded returns the change set an earlier write with this author and
// key recorded, or nil.
func (s *Store) recorded(author, key string) (*domain.ChangeSet, error) {
	id := idempotencyID(author, key)
	if s.db == nil {
		seq, ok := s.idempotent[id]
		if !ok {
			return nil, nil
		}
		cs := s.log[seq-1]
		return &cs, nil
	}
	var cs *domain.ChangeSet
	err := s.db.View(func(tx *bolt.Tx) error {
		ib := tx.Bucket(idempotencyBucket)
		if ib == nil {
			return nil
		}
		seq := ib.Get([]byte(id))
		if seq == nil {
			return nil
		}
		var err error
		cs, err = decodeSet(tx.Bucket(changesBucket).Get(seq))
		return err
	})
	if err != nil {
		return nil, domain.Internal(err, "reading the idempotency record")
	}
	return cs, nil
}

// Changes lists the change sets after sequence number after, oldest first.
func (s *Store) Changes(ctx context.Context, after int64, first int) ([]domain.ChangeSet, error) {
	if err := domain.CheckChangesQuery(after, first); err != nil {
		return nil, err
	}
	return s.readLog(ctx, func(tx *bolt.Tx) ([]domain.ChangeSet, error) {
		out := []domain.ChangeSet{}
		b := tx.Bucket(changesBucket)
		if b == nil {
			return out, nil
		}
		c := b.Cursor()
		for k, v := c.Seek(seqKey(after + 1)); k != nil && len(out) < first; k, v = c.Next() {
			cs, err := decodeSet(v)
			if err != nil {
				return nil, err
			}
			out = append(out, *cs)
		}
		return out, nil
	}, func(log []domain.ChangeSet) []domain.ChangeSet {
		if after >= int64(len(log)) {
			return []domain.ChangeSet{}
		}
		return slices.Clone(log[after:min(int(after)+first, len(log))])
	})
}

// History lists the change sets that touched key, newest first.
func (s *Store) History(ctx context.Context, key domain.NodeKey, first int) ([]domain.ChangeSet, error) {
	if err := domain.ChangeCount.Check(first); err != nil {
		return nil, err
	}
	return s.readLog(ctx, func(tx *bolt.Tx) ([]domain.ChangeSet, error) {
		out := []domain.ChangeSet{}
		hb, cb := tx.Bucket(historyBucket), tx.Bucket(changesBucket)
		if hb == nil || cb == nil {
			return out, nil
		}
		prefix := historyKey(key, 0)[:len(key.String())+1]
		c := hb.Cursor()
		// Walk back from the key's last entry: the newest first.
		k, _ := c.Seek(historyKey(key, 1<<62))
		if k == nil {
			k, _ = c.Last()
		} else {
			k, _ = c.Prev()
		}
		for ; k != nil && len(out) < first && hasPrefix(k, prefix); k, _ = c.Prev() {
			cs, err := decodeSet(cb.Get(k[len(prefix):]))
			if err != nil {
				return nil, err
			}
			out = append(out, *cs)
		}
		return out, nil
	}, func(log []domain.ChangeSet) []domain.ChangeSet {
		out := []domain.ChangeSet{}
		for i := len(log) - 1; i >= 0 && len(out) < first; i-- {
			if slices.Contains(log[i].Touches(), key) {
				out = append(out, log[i])
			}
		}
		return out
	})
}

// readLog reads the log from the file, or from memory for a store without one.
func (s *Store) readLog(ctx context.Context, fromFile func(*bolt.Tx) ([]domain.ChangeSet, error), fromMemory func([]domain.ChangeSet) []domain.ChangeSet) ([]domain.ChangeSet, error) {
	return read(s, ctx, func(*state) ([]domain.ChangeSet, error) {
		if s.db == nil {
			return fromMemory(s.log), nil
		}
		var out []domain.ChangeSet
		err := s.db.View(func(tx *bolt.Tx) error {
			var err error
			out, err = fromFile(tx)
			return err
		})
		if err != nil {
			return nil, domain.Internal(err, "reading the change log")
		}
		return out, nil
	})
}

func decodeSet(data []byte) (*domain.ChangeSet, error) {
	cs := &domain.ChangeSet{}
	if err := json.Unmarshal(data, cs); err != nil {
		return nil, err
	}
	return cs, nil
}

func seqKey(seq int64) []byte { return binary.BigEndian.AppendUint64(nil, uint64(seq)) }

func historyKey(k domain.NodeKey, seq int64) []byte {
	return append(append([]byte(k.String()), 0), seqKey(seq)...)
}

func idempotencyID(author, key string) string { return author + "\x00" + key }

func hasPrefix(b, prefix []byte) bool {
	return len(b) >= len(prefix) && string(b[:len(prefix)]) == string(prefix)
}

// HeldNodes, HeldEdges and EdgesAt answer domain.CheckWrite from memory.
func (st *state) HeldNodes(_ context.Context, keys []domain.NodeKey) (map[domain.NodeKey]domain.Node, error) {
	out := make(map[domain.NodeKey]domain.Node, len(keys))
	for _, k := range keys {
		if n, ok := st.nodes[k]; ok {
			out[k] = n
		}
	}
	return out, nil
}

func (st *state) HeldEdges(_ context.Context, keys []domain.EdgeKey) (map[domain.EdgeKey]*domain.Edge, error) {
	out := make(map[domain.EdgeKey]*domain.Edge, len(keys))
	for _, k := range keys {
		if e, ok := st.edges[k]; ok {
			out[k] = e
		}
	}
	return out, nil
}

func (st *state) EdgesAt(_ context.Context, keys []domain.NodeKey) ([]*domain.Edge, error) {
	var out []*domain.Edge
	for _, k := range keys {
		a := st.adj[k]
		if a == nil {
			continue
		}
		for _, l := range append(slices.Clone(a.out), a.in...) {
			out = append(out, l...)
		}
	}
	return out, nil
}

// apply changes memory as the committed plan says. Removing a node or a
// relation rebuilds the indexes from what remains: deletions are rare
// (admins only) and the indexes were built for growth.
func (st *state) apply(p *domain.WritePlan) {
	if len(p.DeleteNodes)+len(p.DeleteEdges) > 0 {
		gone := map[domain.NodeKey]bool{}
		for _, k := range p.DeleteNodes {
			gone[k] = true
		}
		goneEdges := map[domain.EdgeKey]bool{}
		for _, k := range p.DeleteEdges {
			goneEdges[k] = true
		}
		fresh := newState()
		for _, k := range domain.Kinds {
			for _, id := range st.byKind[k] {
				if key := (domain.NodeKey{Kind: k, ID: id}); !gone[key] {
					fresh.putNode(st.nodes[key])
				}
			}
		}
		// In key order, as load reads them from the file.
		keys := slices.SortedFunc(maps.Keys(st.edges), func(a, b domain.EdgeKey) int { return strings.Compare(a.String(), b.String()) })
		for _, k := range keys {
			if !goneEdges[k] {
				fresh.putEdge(st.edges[k])
			}
		}
		*st = *fresh
	}
	st.reserve(len(p.Edges))
	for _, n := range p.Nodes {
		st.putNode(cloneNode(n))
	}
	for _, e := range p.Edges {
		c := cloneEdge(e)
		st.putEdge(&c)
	}
	st.sortStale()
}

// CitedBy scans the graph: deleting a source is rare (admins only).
func (st *state) CitedBy(_ context.Context, source string, limit int) ([]string, error) {
	var out []string
	for k, n := range st.nodes {
		if slices.Contains(n.Base().Sources, source) {
			out = append(out, k.String())
		}
	}
	for k, e := range st.edges {
		if slices.Contains(e.Sources, source) {
			out = append(out, k.String())
		}
	}
	slices.Sort(out)
	return out[:min(len(out), limit)], nil
}
