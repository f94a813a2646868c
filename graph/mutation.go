package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/citygraph/citygraph/domain"
	"github.com/citygraph/citygraph/graph/loader"
	"github.com/citygraph/citygraph/graph/model"
	"github.com/citygraph/citygraph/graph/mutation"
	"github.com/citygraph/citygraph/internal/auth"
)

// writeNode answers a node mutation (createCity, updateCity, deleteCity):
// the field's name says what to write, graph/mutation's table how.
func (r *Resolver) writeNode(ctx context.Context, input map[string]any) (*model.NodePayload, error) {
	set, w, t, err := r.write(ctx, input)
	if err != nil {
		return nil, err
	}
	p := &model.NodePayload{ClientMutationID: mutation.ClientMutationID(input), ChangeSeq: set.Seq}
	key := w.Nodes[len(w.Nodes)-1].Node.Key() // after the sources created inline
	if t.Mode == domain.Delete {
		p.Deleted = &key
		return p, nil
	}
	nodes, err := r.Store.Nodes(ctx, []domain.NodeKey{key})
	if err != nil {
		return nil, err
	}
	p.Node = nodes[0]
	return p, nil
}

// writeRelation answers a relation mutation (addPartnership,
// endPartnership, …).
func (r *Resolver) writeRelation(ctx context.Context, input map[string]any) (*model.RelationPayload, error) {
	set, w, t, err := r.write(ctx, input)
	if err != nil {
		return nil, err
	}
	p := &model.RelationPayload{ClientMutationID: mutation.ClientMutationID(input), ChangeSeq: set.Seq}
	if t.Mode == domain.Delete {
		return p, nil
	}
	e, err := r.relation(ctx, w.Edges[0].Edge.Key())
	if err != nil {
		return nil, err
	}
	if e != nil {
		p.Relation = &model.Relation{Edge: *e}
	}
	return p, nil
}

// write reads the input of the Mutation field being resolved into a
// domain.Write by the credential's subject, and applies it.
func (r *Resolver) write(ctx context.Context, input map[string]any) (*domain.ChangeSet, *domain.Write, mutation.Target, error) {
	w, t, err := mutation.Build(graphql.GetFieldContext(ctx).Field.Name, input)
	if err != nil {
		return nil, nil, t, err
	}
	w.Author = author(ctx)
	wr, err := r.writer()
	if err != nil {
		return nil, nil, t, err
	}
	set, err := wr.Write(ctx, w)
	// What the request read before may have changed.
	loader.For(ctx).Forget()
	return set, w, t, err
}

// writer is the store's Writer; every store has one (the contract suite
// requires it), but a test double may not.
func (r *Resolver) writer() (domain.Writer, error) {
	wr, ok := r.Store.(domain.Writer)
	if !ok {
		return nil, domain.Errorf(domain.EUNAVAILABLE, "this service's store takes no writes")
	}
	return wr, nil
}

// author names the writer in the change log: the credential's subject.
func author(ctx context.Context) string {
	if s := auth.FromContext(ctx).Subject; s != "" {
		return s
	}
	return "anonymous"
}

// relation reads one stored relation by its key, nil if there is none.
func (r *Resolver) relation(ctx context.Context, key domain.EdgeKey) (*domain.Edge, error) {
	q := domain.EdgeQuery{Kind: key.Kind, Direction: domain.Out, Order: domain.OrderBySince, Page: domain.Page{First: domain.MaxPageSize}}
	for {
		pages, err := r.Store.Edges(ctx, q, []domain.NodeKey{key.From})
		if err != nil || len(pages) != 1 {
			return nil, err
		}
		p := pages[0]
		for i := range p.Items {
			if p.Items[i].Key() == key {
				return &p.Items[i], nil
			}
		}
		if !p.HasNextPage || len(p.Cursors) == 0 {
			return nil, nil
		}
		q.Page.After = p.Cursors[len(p.Cursors)-1]
	}
}

// payloadNode returns a payload's node as the payload type's field wants it.
func payloadNode[T domain.Node](p *model.NodePayload) (T, error) {
	t, _ := p.Node.(T)
	return t, nil
}
