package export

import (
	"bufio"
	"encoding/json"
	"io"

	"github.com/citygraph/citygraph/domain"
)

// jsonLines writes JSON lines (https://jsonlines.org/): one object per
// node, then one per relation, each with its properties by their GraphQL
// names:
//
//	{"type":"node","id":"City:nanning","kind":"City","properties":{"slug":"nanning","name":"Nanning",…}}
//	{"type":"relation","id":"PARTNER_OF(City:a,City:b)","kind":"PARTNER_OF","from":"City:a","to":"City:b","properties":{…}}
type jsonLines struct {
	w   *bufio.Writer
	enc *json.Encoder
}

// jsonLine is one line of the export.
type jsonLine struct {
	Type       string         `json:"type"`
	ID         string         `json:"id"`
	Kind       string         `json:"kind"`
	From       string         `json:"from,omitempty"`
	To         string         `json:"to,omitempty"`
	Properties map[string]any `json:"properties"`
}

func newJSONLines(w io.Writer) *jsonLines {
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	return &jsonLines{w: bw, enc: enc}
}

func (j *jsonLines) begin() error { return nil }

func propertyMap(ps props) map[string]any {
	m := make(map[string]any, len(ps))
	for _, p := range ps[1:] { // the kind is a field of the line
		m[p.name] = p.jsonValue()
	}
	return m
}

func (j *jsonLines) nodes(ns []domain.Node) error {
	for _, n := range ns {
		k := n.Key()
		if err := j.enc.Encode(jsonLine{Type: "node", ID: k.String(), Kind: string(k.Kind), Properties: propertyMap(nodeProps(n))}); err != nil {
			return err
		}
	}
	return j.w.Flush()
}

func (j *jsonLines) edges(es []domain.Edge) error {
	for i := range es {
		k := es[i].Key()
		line := jsonLine{Type: "relation", ID: k.String(), Kind: string(k.Kind), From: k.From.String(), To: k.To.String(),
			Properties: propertyMap(edgeProps(&es[i]))}
		if err := j.enc.Encode(line); err != nil {
			return err
		}
	}
	return j.w.Flush()
}

func (j *jsonLines) end() error { return j.w.Flush() }
