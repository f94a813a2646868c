package embedded

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/citygraph/citygraph/domain"
	"github.com/citygraph/citygraph/synth"
)

// The hand-written edge encoding must read back exactly as the full
// json.Marshal form did, for every field and every kind of string.
func TestEncodeEdgeReadsBackAsJSONMarshal(t *testing.T) {
	through := domain.NodeKey{Kind: domain.KindAgreement, ID: "nanning-consensus"}
	odd := []string{"", "plain", `say "hi"`, `back\slash`, "<b>&amp;</b>", "南宁", "tab\there", "line\nbreak", "\x01ctl",
		"bad \xff utf-8", "\u2028sep\u2029", "emoji 🙂", "\x7f del"}
	edges := synth.Generate(3, 300).Edges
	for i, s := range odd {
		edges = append(edges, domain.Edge{Kind: domain.EdgeFinanced, From: domain.NodeKey{Kind: domain.KindFundingBody, ID: "aiib"},
			To: domain.NodeKey{Kind: domain.KindProject, ID: s}, Since: domain.Date(s), Role: domain.Role(s), PartnershipKind: domain.PartnershipKind(s),
			Status: domain.PartnershipStatus(s), Through: &through, DelegationSize: i - 3, Level: s, Position: -i, Request: s, RequestZh: s,
			Amount: &domain.Money{Amount: domain.Decimal(i*1_000_001 - 5), Currency: domain.Currency(s)}, Instrument: s, Note: s,
			Sources: []string{s, "src", s}})
	}
	edges = append(edges, domain.Edge{Kind: domain.EdgeAttended, Amount: &domain.Money{}, Sources: []string{}})
	for i := range edges {
		e := &edges[i]
		full, err := json.Marshal(e)
		if err != nil {
			t.Fatal(err)
		}
		compact, err := encodeEdge(e)
		if err != nil {
			t.Fatal(err)
		}
		if !json.Valid(compact) {
			t.Fatalf("edge %d: encoding is not JSON: %s", i, compact)
		}
		want, err := decodeEdge(full)
		if err != nil {
			t.Fatal(err)
		}
		got, err := decodeEdge(compact)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("edge %d reads back differently:\n got %+v\nwant %+v\nfrom %s", i, got, want, compact)
		}
	}
}
