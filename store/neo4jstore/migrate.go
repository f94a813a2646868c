package neo4jstore

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/citygraph/citygraph/domain"
)

// migration is one named, idempotent schema change. Once it has run, a
// (:Migration {id, appliedAt}) node records it and it is not run again;
// every statement also says IF NOT EXISTS, so a half-applied migration
// (the server died between statements) simply runs again.
type migration struct {
	id         string
	statements []string
}

// fulltextIndex is the index Search queries. The cjk analyzer splits
// Chinese into bigrams and lower-cases and tokenises Latin text as the
// standard analyzer does, so 南宁, 丝路 and Nanning are all found.
const fulltextIndex = "entity_text"

func migrations() []migration {
	var identity []string
	identity = append(identity,
		"CREATE CONSTRAINT migration_id IF NOT EXISTS FOR (m:Migration) REQUIRE m.id IS UNIQUE",
		"CREATE CONSTRAINT entity_key IF NOT EXISTS FOR (n:Entity) REQUIRE n.key IS UNIQUE")
	var names []string
	for _, k := range domain.Kinds {
		// Labels come from the fixed domain constants only.
		l := label(k)
		identity = append(identity, fmt.Sprintf(
			"CREATE CONSTRAINT %s_id IF NOT EXISTS FOR (n:%s) REQUIRE n.id IS UNIQUE", strings.ToLower(l), l))
		names = append(names, fmt.Sprintf(
			"CREATE INDEX %s_name IF NOT EXISTS FOR (n:%s) ON (n.name)", strings.ToLower(l), l))
	}
	return []migration{
		{id: "0001_identity_constraints", statements: identity},
		{id: "0002_name_indexes", statements: names},
		{id: "0003_filter_indexes", statements: []string{
			"CREATE INDEX organization_org_kind IF NOT EXISTS FOR (n:Organization) ON (n.orgKind)",
			"CREATE INDEX project_sector IF NOT EXISTS FOR (n:Project) ON (n.sector)",
		}},
		{id: "0004_fulltext", statements: []string{
			"CREATE FULLTEXT INDEX " + fulltextIndex + " IF NOT EXISTS FOR (n:Entity) " +
				"ON EACH [n.name, n.nameZh, n.aliases, n.description] " +
				"OPTIONS {indexConfig: {`fulltext.analyzer`: 'cjk', `fulltext.eventually_consistent`: false}}",
		}},
		{id: "0005_city_location", statements: []string{
			"CREATE POINT INDEX city_location IF NOT EXISTS FOR (n:City) ON (n.location)",
		}},
		{id: "0006_seed_loads", statements: []string{
			"CREATE CONSTRAINT seed_load_id IF NOT EXISTS FOR (l:SeedLoad) REQUIRE l.id IS UNIQUE",
		}},
		// The change log (see write.go). The counter is created once, here,
		// so that no write ever MERGEs it: two writes could create two.
		{id: "0007_change_log", statements: []string{
			"CREATE CONSTRAINT change_log_id IF NOT EXISTS FOR (c:ChangeLog) REQUIRE c.id IS UNIQUE",
			"CREATE CONSTRAINT change_set_seq IF NOT EXISTS FOR (c:ChangeSet) REQUIRE c.seq IS UNIQUE",
			"CREATE CONSTRAINT idempotency_id IF NOT EXISTS FOR (i:Idempotency) REQUIRE i.id IS UNIQUE",
			"CREATE INDEX change_ref_key IF NOT EXISTS FOR (r:ChangeRef) ON (r.key)",
			"MERGE (c:ChangeLog {id: 'log'}) ON CREATE SET c.seq = 0",
		}},
	}
}

// label returns the Neo4j label of a node kind, refusing anything that is
// not one of the domain's kinds: labels are spliced into Cypher, so only
// the fixed constants may reach it. Callers validate first; an unknown kind
// yields a label that cannot parse, so a bug fails the statement (EINTERNAL)
// instead of splicing foreign text.
func label(k domain.Kind) string {
	if !k.Valid() {
		return "`"
	}
	return string(k)
}

// relType is label's counterpart for relationship types.
func relType(k domain.EdgeKind) string {
	if _, ok := domain.EdgeRules[k]; !ok {
		return "`"
	}
	return string(k)
}

// ready runs the migrations once, the first time the server answers.
func (s *Store) ready(ctx context.Context) error {
	s.migrateMu.Lock()
	defer s.migrateMu.Unlock()
	if s.migrated {
		return nil
	}
	if err := s.migrate(ctx); err != nil {
		return err
	}
	s.migrated = true
	return nil
}

func (s *Store) migrate(ctx context.Context) error {
	sess := s.session(ctx, neo4j.AccessModeWrite)
	defer sess.Close(context.Background())
	run := func(cypher string, params map[string]any) ([]*neo4j.Record, error) {
		res, err := sess.Run(ctx, cypher, params)
		if err != nil {
			return nil, err
		}
		return res.Collect(ctx)
	}
	// The constraint on Migration.id is created first (idempotently) so
	// that recording is safe when two processes migrate at once.
	if _, err := run("CREATE CONSTRAINT migration_id IF NOT EXISTS FOR (m:Migration) REQUIRE m.id IS UNIQUE", nil); err != nil {
		return translate(ctx, err, "creating the migration constraint")
	}
	recs, err := run("MATCH (m:Migration) RETURN m.id AS id", nil)
	if err != nil {
		return translate(ctx, err, "reading applied migrations")
	}
	done := map[string]bool{}
	for _, r := range recs {
		id, _ := r.Get("id")
		done[fmt.Sprint(id)] = true
	}
	for _, m := range migrations() {
		if done[m.id] {
			continue
		}
		// Schema statements cannot share a transaction with data writes,
		// so each runs on its own; all are idempotent.
		for _, st := range m.statements {
			if _, err := run(st, nil); err != nil {
				return translate(ctx, err, "running migration "+m.id)
			}
		}
		if _, err := run("MERGE (m:Migration {id: $id}) ON CREATE SET m.appliedAt = $at",
			map[string]any{"id": m.id, "at": time.Now().UTC().Format(time.RFC3339)}); err != nil {
			return translate(ctx, err, "recording migration "+m.id)
		}
		s.log.Info("applied migration", "id", m.id)
	}
	if _, err := run("CALL db.awaitIndexes($secs)", map[string]any{"secs": int64(300)}); err != nil {
		return translate(ctx, err, "waiting for indexes to come online")
	}
	return nil
}
