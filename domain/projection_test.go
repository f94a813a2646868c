package domain_test

import (
	"reflect"
	"slices"
	"testing"

	"github.com/citygraph/citygraph/domain"
)

// Projections name fields by their stored names and copy only those.
func TestProjectKeepsTheKeyAndTheFieldsListed(t *testing.T) {
	org := &domain.Organization{Meta: domain.Meta{ID: "cam", Name: "CAM", Description: "mayors", Version: 4}, OrgKind: domain.OrgMayorsAssociation}
	want := &domain.Organization{Meta: domain.Meta{ID: "cam", Version: 4}, OrgKind: domain.OrgMayorsAssociation}
	if got := domain.ProjectNode(org, []string{"orgKind", "version"}); !reflect.DeepEqual(got, want) {
		t.Errorf("organisation: got %+v, want %+v", got, want)
	}
	from, to := domain.NodeKey{Kind: domain.KindCity, ID: "a"}, domain.NodeKey{Kind: domain.KindCity, ID: "b"}
	e := domain.Edge{Kind: domain.EdgePartnerOf, From: from, To: to, Since: "2005", PartnershipKind: domain.PartnershipSisterCity, Note: "n"}
	wantEdge := domain.Edge{Kind: domain.EdgePartnerOf, From: from, To: to, PartnershipKind: domain.PartnershipSisterCity}
	if got := domain.ProjectEdge(e, []string{"partnershipKind", "colour"}); !reflect.DeepEqual(got, wantEdge) {
		t.Errorf("partnership: got %+v, want %+v", got, wantEdge)
	}
	// A source's urls are read whole: an old record holds them in a url property.
	if got := domain.ProjectableNodeFields(domain.KindSource); slices.ContainsFunc(got, func(f string) bool { return f == "urls" || f == "urLs" }) {
		t.Errorf("projectable source fields: got %v, want no urls", got)
	}
	if got, want := domain.ProjectableNodeFields(domain.KindOrganization), []string{"name", "nameZh", "aliases", "description", "sources", "version", "orgKind"}; !slices.Equal(got, want) {
		t.Errorf("projectable organisation fields: got %v, want %v", got, want)
	}
}
