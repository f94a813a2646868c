package export

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"

	"github.com/citygraph/citygraph/domain"
)

// The records below are the seed dossier's (seed/schema/dossier.schema.json),
// written as JSON, which the seed loader reads like YAML. Every relation
// carries its own sources, so nothing depends on the dossier's rule that a
// relation without sources inherits its record's.

type dRef struct {
	ID      string   `json:"id"`
	Sources []string `json:"sources,omitempty"`
	Note    string   `json:"note,omitempty"`
}

type dMeta struct {
	ID          string   `json:"id"`
	Name        string   `json:"name,omitempty"`
	NameZh      string   `json:"nameZh,omitempty"`
	Aliases     []string `json:"aliases,omitempty"`
	Description string   `json:"description,omitempty"`
	Sources     []string `json:"sources,omitempty"`
	RefersTo    []dRef   `json:"refersTo,omitempty"`
}

type dSource struct {
	ID          string   `json:"id"`
	Title       string   `json:"title"`
	TitleZh     string   `json:"titleZh,omitempty"`
	Publisher   string   `json:"publisher,omitempty"`
	Author      string   `json:"author,omitempty"`
	Date        string   `json:"date,omitempty"`
	URLs        []string `json:"urls,omitempty"`
	File        string   `json:"file,omitempty"`
	Description string   `json:"description,omitempty"`
}

type dGrouping struct {
	ID          string   `json:"id"`
	Name        string   `json:"name,omitempty"`
	NameZh      string   `json:"nameZh,omitempty"`
	Aliases     []string `json:"aliases,omitempty"`
	Description string   `json:"description,omitempty"`
	Sources     []string `json:"sources,omitempty"`
	Acronym     string   `json:"acronym,omitempty"`
}

type dCity struct {
	dMeta
	Country        *dRef    `json:"country,omitempty"`
	Division       string   `json:"division,omitempty"`
	Region         string   `json:"region,omitempty"`
	RegionZh       string   `json:"regionZh,omitempty"`
	Lat            *float64 `json:"lat,omitempty"`
	Lon            *float64 `json:"lon,omitempty"`
	Population     int64    `json:"population,omitempty"`
	PopulationYear int      `json:"populationYear,omitempty"`
	Capital        bool     `json:"capital,omitempty"`
}

type dOrganization struct {
	dMeta
	Kind string `json:"kind,omitempty"`
	Seat *dRef  `json:"seat,omitempty"`
}

type dMoney struct {
	Amount   string `json:"amount"`
	Currency string `json:"currency"`
}

type dFundingBody struct {
	dMeta
	Acronym      string  `json:"acronym,omitempty"`
	Founded      string  `json:"founded,omitempty"`
	Headquarters *dRef   `json:"headquarters,omitempty"`
	Capital      *dMoney `json:"capital,omitempty"`
	CapitalNote  string  `json:"capitalNote,omitempty"`
}

type dEvent struct {
	dMeta
	FirstHeld string `json:"firstHeld,omitempty"`
	HeldIn    *dRef  `json:"heldIn,omitempty"`
}

type dForum struct {
	dMeta
	Series         *dRef        `json:"series,omitempty"`
	Edition        int          `json:"edition,omitempty"`
	StartDate      string       `json:"startDate,omitempty"`
	EndDate        string       `json:"endDate,omitempty"`
	HostCity       *dRef        `json:"hostCity,omitempty"`
	Theme          string       `json:"theme,omitempty"`
	ThemeZh        string       `json:"themeZh,omitempty"`
	Participants   int          `json:"participants,omitempty"`
	Officials      int          `json:"officials,omitempty"`
	AttendanceNote string       `json:"attendanceNote,omitempty"`
	PartOf         *dRef        `json:"partOf,omitempty"`
	Organisers     []dOrganiser `json:"organisers,omitempty"`
	Attendees      []dAttendee  `json:"attendees,omitempty"`
	Topics         []dTopic     `json:"topics,omitempty"`
	Agreements     []dAgreement `json:"agreements,omitempty"`
	Appeals        []dAppeal    `json:"appeals,omitempty"`
}

type dOrganiser struct {
	Organization string   `json:"organization"`
	Role         string   `json:"role"`
	Note         string   `json:"note,omitempty"`
	Sources      []string `json:"sources,omitempty"`
}

type dAttendee struct {
	City           string   `json:"city,omitempty"`
	Organization   string   `json:"organization,omitempty"`
	DelegationSize int      `json:"delegationSize,omitempty"`
	Level          string   `json:"level,omitempty"`
	Date           string   `json:"date,omitempty"`
	Note           string   `json:"note,omitempty"`
	Sources        []string `json:"sources,omitempty"`
}

type dTopic struct {
	dMeta
	SubThemes   []string `json:"subThemes,omitempty"`
	SubThemesZh []string `json:"subThemesZh,omitempty"`
}

type dAgreement struct {
	dMeta
	Date        string       `json:"date,omitempty"`
	Points      []string     `json:"points,omitempty"`
	PointsZh    []string     `json:"pointsZh,omitempty"`
	Signatories []dSignatory `json:"signatories,omitempty"`
}

type dSignatory struct {
	City    string   `json:"city"`
	Date    string   `json:"date,omitempty"`
	Note    string   `json:"note,omitempty"`
	Sources []string `json:"sources,omitempty"`
}

type dAppeal struct {
	FundingBody string   `json:"fundingBody"`
	Request     string   `json:"request,omitempty"`
	RequestZh   string   `json:"requestZh,omitempty"`
	Note        string   `json:"note,omitempty"`
	Sources     []string `json:"sources,omitempty"`
}

type dLocation struct {
	City    string   `json:"city,omitempty"`
	Country string   `json:"country,omitempty"`
	Note    string   `json:"note,omitempty"`
	Sources []string `json:"sources,omitempty"`
}

type dProject struct {
	dMeta
	Sector    string      `json:"sector,omitempty"`
	Status    string      `json:"status,omitempty"`
	LocatedIn []dLocation `json:"locatedIn,omitempty"`
}

type dMembership struct {
	Country     string   `json:"country"`
	Grouping    string   `json:"grouping,omitempty"`
	FundingBody string   `json:"fundingBody,omitempty"`
	Since       string   `json:"since,omitempty"`
	Until       string   `json:"until,omitempty"`
	Note        string   `json:"note,omitempty"`
	Sources     []string `json:"sources,omitempty"`
}

type dFinancing struct {
	FundingBody string   `json:"fundingBody"`
	Project     string   `json:"project"`
	Amount      string   `json:"amount"`
	Currency    string   `json:"currency"`
	Instrument  string   `json:"instrument,omitempty"`
	Approved    string   `json:"approved,omitempty"`
	Until       string   `json:"until,omitempty"`
	Note        string   `json:"note,omitempty"`
	Sources     []string `json:"sources,omitempty"`
}

type dPartnership struct {
	City    string   `json:"city"`
	Partner string   `json:"partner"`
	Kind    string   `json:"kind"`
	Status  string   `json:"status,omitempty"`
	Since   string   `json:"since,omitempty"`
	Until   string   `json:"until,omitempty"`
	Through string   `json:"through,omitempty"`
	Note    string   `json:"note,omitempty"`
	Sources []string `json:"sources,omitempty"`
}

func metaOf(n domain.Node, refersTo []domain.Edge) dMeta {
	m := n.Base()
	d := dMeta{ID: m.ID, Name: m.Name, NameZh: m.NameZh, Aliases: m.Aliases, Description: m.Description, Sources: m.Sources}
	for _, e := range refersTo {
		d.RefersTo = append(d.RefersTo, refTo(e))
	}
	return d
}

func refTo(e domain.Edge) dRef { return dRef{ID: e.To.ID, Sources: e.Sources, Note: e.Note} }

func throughText(t *domain.NodeKey) string {
	if t == nil {
		return ""
	}
	return t.String()
}

func membershipRec(e domain.Edge) dMembership {
	m := dMembership{Country: e.From.ID, Since: string(e.Since), Until: string(e.Until), Note: e.Note, Sources: e.Sources}
	if e.To.Kind == domain.KindFundingBody {
		m.FundingBody = e.To.ID
	} else {
		m.Grouping = e.To.ID
	}
	return m
}

func financingRec(e domain.Edge) dFinancing {
	return dFinancing{FundingBody: e.From.ID, Project: e.To.ID, Amount: e.Amount.Amount.String(), Currency: string(e.Amount.Currency),
		Instrument: e.Instrument, Approved: string(e.Since), Until: string(e.Until), Note: e.Note, Sources: e.Sources}
}

func partnershipRec(e domain.Edge) dPartnership {
	return dPartnership{City: e.From.ID, Partner: e.To.ID, Kind: string(e.PartnershipKind), Status: string(e.Status),
		Since: string(e.Since), Until: string(e.Until), Through: throughText(e.Through), Note: e.Note, Sources: e.Sources}
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
