package export

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"

	"github.com/citygraph/citygraph/domain"
	"github.com/citygraph/citygraph/seed"
)

// A dossier holds the seed loader's own records (seed.CityRecord, …),
// written as JSON, which the loader reads like YAML. Every relation
// carries its own sources, so nothing depends on the dossier's rule that a
// relation without sources inherits its record's.

func metaOf(n domain.Node, refersTo []domain.Edge) seed.MetaRecord {
	m := n.Base()
	d := seed.MetaRecord{ID: m.ID, Name: m.Name, NameZh: m.NameZh, Aliases: m.Aliases, Description: m.Description, Sources: m.Sources}
	for _, e := range refersTo {
		d.RefersTo = append(d.RefersTo, refTo(e))
	}
	return d
}

func refTo(e domain.Edge) seed.Ref { return seed.Ref{ID: e.To.ID, Sources: e.Sources, Note: e.Note} }

func throughText(t *domain.NodeKey) string {
	if t == nil {
		return ""
	}
	return t.String()
}

func membershipRec(e domain.Edge) seed.MembershipRecord {
	m := seed.MembershipRecord{Country: e.From.ID, Since: seed.Text(e.Since), Until: seed.Text(e.Until), Note: e.Note, Sources: e.Sources}
	if e.To.Kind == domain.KindFundingBody {
		m.FundingBody = e.To.ID
	} else {
		m.Grouping = e.To.ID
	}
	return m
}

func financingRec(e domain.Edge) seed.FinancingRecord {
	return seed.FinancingRecord{FundingBody: e.From.ID, Project: e.To.ID, Amount: seed.Text(e.Amount.Amount.String()), Currency: string(e.Amount.Currency),
		Instrument: e.Instrument, Approved: seed.Text(e.Since), Until: seed.Text(e.Until), Note: e.Note, Sources: e.Sources}
}

func partnershipRec(e domain.Edge) seed.PartnershipRecord {
	return seed.PartnershipRecord{City: e.From.ID, Partner: e.To.ID, Kind: string(e.PartnershipKind), Status: string(e.Status),
		Since: seed.Text(e.Since), Until: seed.Text(e.Until), Through: throughText(e.Through), Note: e.Note, Sources: e.Sources}
}

// maxDossierPart is where a dossier is cut into another file, below the
// seed loader's default limit of 1 MiB a dossier (seed.DefaultLimits).
// A variable so that tests can cut small graphs into parts.
var maxDossierPart = 768 << 10

// dossierWriter streams dossier records into files of the zip, section by
// section, starting a new file (graph-002.json, …) when one grows past
// maxDossierPart, so no file has to be held in memory.
type dossierWriter struct {
	open    func(name string) (io.Writer, error)
	w       io.Writer
	part    int
	size    int
	records int
	section string
	buf     bytes.Buffer
}

// record adds v to the named section of the current file.
func (d *dossierWriter) record(section string, v any) error {
	d.buf.Reset()
	enc := json.NewEncoder(&d.buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return err
	}
	if d.w != nil && d.records > 0 && d.size+d.buf.Len() > maxDossierPart {
		if err := d.closeFile(); err != nil {
			return err
		}
	}
	if d.w == nil {
		d.part++
		w, err := d.open(fmt.Sprintf("graph-%03d.json", d.part))
		if err != nil {
			return err
		}
		d.w, d.size, d.records, d.section = w, 0, 0, ""
		if err := d.write("{"); err != nil {
			return err
		}
	}
	sep := ",\n"
	if section != d.section {
		open := fmt.Sprintf("%q: [\n", section)
		if d.section != "" {
			open = "],\n" + open
		}
		if err := d.write(open); err != nil {
			return err
		}
		d.section, sep = section, ""
	}
	if err := d.write(sep); err != nil {
		return err
	}
	d.records++
	return d.write(string(bytes.TrimRight(d.buf.Bytes(), "\n")))
}

func (d *dossierWriter) write(s string) error {
	n, err := io.WriteString(d.w, s)
	d.size += n
	return err
}

func (d *dossierWriter) closeFile() error {
	if d.w == nil {
		return nil
	}
	end := "}\n"
	if d.section != "" {
		end = "]\n}\n"
	}
	err := d.write(end)
	d.w = nil
	return err
}
