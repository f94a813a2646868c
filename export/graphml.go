package export

import (
	"encoding/xml"
	"io"

	"github.com/citygraph/citygraph/domain"
)

// graphML writes GraphML (http://graphml.graphdrawing.org/) as Gephi,
// Cytoscape and networkx read it: typed <key> declarations for every
// property, a node per node (id "Kind:slug") and an edge per relation (id
// its key, "PARTNER_OF(City:a,City:b)"), directed from the end it is stored
// from; PARTNER_OF is undirected in citygraph and appears once.
type graphML struct {
	enc *xml.Encoder
}

const graphMLNS = "http://graphml.graphdrawing.org/xmlns"

func newGraphML(w io.Writer) *graphML {
	enc := xml.NewEncoder(w)
	enc.Indent("", " ") // a line per element, for line-oriented tools and diffs
	return &graphML{enc: enc}
}

func attr(name, value string) xml.Attr { return xml.Attr{Name: xml.Name{Local: name}, Value: value} }

func keyID(domainName string, name string) string { return domainName[:1] + "_" + name }

func (g *graphML) begin() error {
	if err := g.enc.EncodeToken(xml.ProcInst{Target: "xml", Inst: []byte(`version="1.0" encoding="UTF-8"`)}); err != nil {
		return err
	}
	root := xml.StartElement{Name: xml.Name{Local: "graphml"}, Attr: []xml.Attr{
		attr("xmlns", graphMLNS),
		attr("xmlns:xsi", "http://www.w3.org/2001/XMLSchema-instance"),
		attr("xsi:schemaLocation", graphMLNS+" http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd"),
	}}
	if err := g.enc.EncodeToken(root); err != nil {
		return err
	}
	for _, d := range []struct {
		for_  string
		decls []propDecl
	}{{"node", nodeDecls}, {"edge", edgeDecls}} {
		for _, p := range d.decls {
			key := xml.StartElement{Name: xml.Name{Local: "key"}, Attr: []xml.Attr{
				attr("id", keyID(d.for_, p.name)), attr("for", d.for_), attr("attr.name", p.name), attr("attr.type", string(p.typ))}}
			if err := g.element(key, nil); err != nil {
				return err
			}
		}
	}
	return g.enc.EncodeToken(xml.StartElement{Name: xml.Name{Local: "graph"}, Attr: []xml.Attr{
		attr("id", "citygraph"), attr("edgedefault", "directed")}})
}

// element writes start, the data elements of ps (keyed for the element's
// kind), and the end tag.
func (g *graphML) element(start xml.StartElement, ps props) error {
	if err := g.enc.EncodeToken(start); err != nil {
		return err
	}
	for _, p := range ps {
		data := xml.StartElement{Name: xml.Name{Local: "data"}, Attr: []xml.Attr{attr("key", keyID(start.Name.Local, p.name))}}
		if err := g.enc.EncodeToken(data); err != nil {
			return err
		}
		if err := g.enc.EncodeToken(xml.CharData(p.text())); err != nil {
			return err
		}
		if err := g.enc.EncodeToken(data.End()); err != nil {
			return err
		}
	}
	return g.enc.EncodeToken(start.End())
}

func (g *graphML) nodes(ns []domain.Node) error {
	for _, n := range ns {
		start := xml.StartElement{Name: xml.Name{Local: "node"}, Attr: []xml.Attr{attr("id", n.Key().String())}}
		if err := g.element(start, nodeProps(n)); err != nil {
			return err
		}
	}
	return g.enc.Flush()
}

func (g *graphML) edges(es []domain.Edge) error {
	for i := range es {
		e := &es[i]
		k := e.Key()
		start := xml.StartElement{Name: xml.Name{Local: "edge"}, Attr: []xml.Attr{
			attr("id", k.String()), attr("source", k.From.String()), attr("target", k.To.String())}}
		if err := g.element(start, edgeProps(e)); err != nil {
			return err
		}
	}
	return g.enc.Flush()
}

func (g *graphML) end() error {
	for _, name := range []string{"graph", "graphml"} {
		if err := g.enc.EncodeToken(xml.EndElement{Name: xml.Name{Local: name}}); err != nil {
			return err
		}
	}
	return g.enc.Close()
}
