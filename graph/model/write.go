package model

import "github.com/citygraph/citygraph/domain"

// NodePayload backs every node mutation's payload (CityPayload, …): the
// node after the write, or the key a delete removed.
type NodePayload struct {
	ClientMutationID *string
	Node             domain.Node
	Deleted          *domain.NodeKey
	ChangeSeq        int64
}

// DeletedID is the global ID of the node a delete removed.
func (p *NodePayload) DeletedID() *string {
	if p.Deleted == nil {
		return nil
	}
	s := p.Deleted.String()
	return &s
}

// RelationPayload backs every relation mutation's payload
// (PartnershipPayload, …): the relation after the write, nil after a delete.
type RelationPayload struct {
	ClientMutationID *string
	Relation         *Relation
	ChangeSeq        int64
}

// KindCount is what a write did to one kind of node or relation.
type KindCount struct {
	Kind                                 string
	Created, Updated, Unchanged, Deleted int
}

// Counts lists a report's counts, node kinds then relation kinds, each in
// the domain's order.
func Counts(r domain.Report) []*KindCount {
	var out []*KindCount
	for _, k := range domain.Kinds {
		if c, ok := r.Nodes[k]; ok {
			out = append(out, &KindCount{Kind: string(k), Created: c.Created, Updated: c.Updated, Unchanged: c.Unchanged, Deleted: c.Deleted})
		}
	}
	for _, k := range domain.EdgeKinds {
		if c, ok := r.Edges[k]; ok {
			out = append(out, &KindCount{Kind: string(k), Created: c.Created, Updated: c.Updated, Unchanged: c.Unchanged, Deleted: c.Deleted})
		}
	}
	return out
}

// ImportPayload is what importSeed did.
type ImportPayload struct {
	DryRun bool
	Rows   int
	Counts []*KindCount
}
