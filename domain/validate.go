package domain

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"unicode/utf8"
)

// MaxTextLen bounds every free-text field; longer text is almost always a
// broken file, not a fact.
const MaxTextLen = 4000

// ValidateNode checks a node on its own (not its references) and returns
// every problem found, each naming the field.
func ValidateNode(n Node) []Problem {
	var ps []Problem
	add := func(field, found, expected string) {
		ps = append(ps, Problem{Field: field, Found: found, Expected: expected})
	}
	m := n.Base()
	k := n.Key()
	if err := ValidateSlug(m.ID); err != nil {
		add("id", quote(m.ID), "1 to 128 letters, digits, '-', '_' or '.'")
	}
	if strings.TrimSpace(m.Name) == "" {
		add("name", "nothing", "an English name")
	}
	text := []field{{"name", m.Name}, {"nameZh", m.NameZh}, {"description", m.Description}}
	for i, a := range m.Aliases {
		text = append(text, field{fmt.Sprintf("aliases[%d]", i), a})
	}
	if k.Kind != KindSource && len(m.Sources) == 0 {
		add("sources", "no source", "at least one source: a fact without a source is not loaded")
	}
	for i, s := range m.Sources {
		if ValidateSlug(s) != nil {
			add(fmt.Sprintf("sources[%d]", i), quote(s), "a source slug")
		}
	}
	checkDate := func(field string, d Date) {
		if _, err := ParseDate(string(d)); err != nil {
			add(field, quote(string(d)), "YYYY, YYYY-MM or YYYY-MM-DD")
		}
	}
	switch v := n.(type) {
	case *Country:
		if len(v.ID) != 2 || strings.ToUpper(v.ID) != v.ID {
			add("id", quote(v.ID), "an ISO 3166-1 alpha-2 code in capitals (CN, VN)")
		}
	case *Grouping:
		text = append(text, field{"acronym", v.Acronym})
	case *City:
		text = append(text, field{"region", v.Region}, field{"regionZh", v.RegionZh})
		if !slices.Contains(Divisions, v.Division) {
			add("division", quote(string(v.Division)), fmt.Sprint("one of ", Divisions))
		}
		if v.Location != nil {
			if err := v.Location.Validate(); err != nil {
				add("location", fmt.Sprintf("(%v, %v)", v.Location.Lat, v.Location.Lon), "latitude -90..90 and longitude -180..180")
			}
		}
		if v.Population < 0 {
			add("population", fmt.Sprint(v.Population), "a non-negative number")
		}
		if v.Population > 0 && (v.PopulationYear < 1800 || v.PopulationYear > 2100) {
			add("populationYear", fmt.Sprint(v.PopulationYear), "the year the population was counted")
		}
	case *Organization:
		if !slices.Contains(OrgKinds, v.OrgKind) {
			add("kind", quote(string(v.OrgKind)), fmt.Sprint("one of ", OrgKinds))
		}
	case *FundingBody:
		text = append(text, field{"acronym", v.Acronym}, field{"capitalNote", v.CapitalNote})
		if v.Acronym == "" {
			// The acronym is how the material names a funding body (AIIB, SRF).
			add("acronym", "nothing", "the funding body's acronym (AIIB, SRF, NDB, ADB)")
		}
		checkDate("founded", v.Founded)
		if v.Capital != nil {
			ps = append(ps, validateMoney("capital", *v.Capital)...)
		}
	case *Event:
		checkDate("firstHeld", v.FirstHeld)
	case *Forum:
		text = append(text, field{"theme", v.Theme}, field{"themeZh", v.ThemeZh}, field{"attendanceNote", v.AttendanceNote})
		checkDate("startDate", v.StartDate)
		checkDate("endDate", v.EndDate)
		if v.StartDate.Known() && v.EndDate.Known() && v.EndDate < v.StartDate {
			add("endDate", string(v.EndDate), "a date on or after startDate "+string(v.StartDate))
		}
		if v.Edition < 0 || v.Participants < 0 || v.Officials < 0 {
			add("edition/participants/officials", "a negative number", "zero (unknown) or more")
		}
	case *Topic:
		for i, s := range v.SubThemes {
			text = append(text, field{fmt.Sprintf("subThemes[%d]", i), s})
		}
		for i, s := range v.SubThemesZh {
			text = append(text, field{fmt.Sprintf("subThemesZh[%d]", i), s})
		}
	case *Agreement:
		checkDate("date", v.Date)
		for i, s := range v.Points {
			text = append(text, field{fmt.Sprintf("points[%d]", i), s})
		}
		for i, s := range v.PointsZh {
			text = append(text, field{fmt.Sprintf("pointsZh[%d]", i), s})
		}
	case *Project:
		if !slices.Contains(Sectors, v.Sector) {
			add("sector", quote(string(v.Sector)), fmt.Sprint("one of ", Sectors))
		}
		if v.Status != "" && !slices.Contains(ProjectStatuses, v.Status) {
			add("status", quote(string(v.Status)), fmt.Sprint("one of ", ProjectStatuses))
		}
	case *Source:
		text = append(text, field{"publisher", v.Publisher}, field{"author", v.Author}, field{"file", v.File})
		checkDate("date", v.Date)
		if len(v.URLs) == 0 && v.File == "" && v.Publisher == "" {
			add("urls", "nothing", "a url, a file or a publisher that tells where the source is")
		}
		for i, u := range v.URLs {
			if p, err := url.Parse(u); err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" || strings.ContainsAny(u, " \t\n") {
				add(fmt.Sprintf("urls[%d]", i), quote(u), "an http or https URL")
			}
		}
	}
	ps = append(ps, validateText(text)...)
	return ps
}

// ValidateEdge checks an edge on its own: kinds of its ends, its properties
// and sources. Whether its ends exist is the store's or loader's concern.
func ValidateEdge(e *Edge) []Problem {
	var ps []Problem
	add := func(field, found, expected string) {
		ps = append(ps, Problem{Field: field, Found: found, Expected: expected})
	}
	if err := e.Kind.Check(e.From.Kind, e.To.Kind); err != nil {
		add("kind", fmt.Sprintf("%s from %s to %s", e.Kind, e.From.Kind, e.To.Kind), err.Error())
	}
	if ValidateSlug(e.From.ID) != nil {
		add("from", quote(e.From.ID), "a slug")
	}
	if ValidateSlug(e.To.ID) != nil {
		add("to", quote(e.To.ID), "a slug")
	}
	if e.From == e.To {
		add("to", e.To.String(), "a node other than "+e.From.String()+": a relation cannot link a node with itself")
	}
	if _, err := ParseDate(string(e.Since)); err != nil {
		add("since", quote(string(e.Since)), "YYYY, YYYY-MM or YYYY-MM-DD")
	}
	if len(e.Sources) == 0 {
		add("sources", "no source", "at least one source: a fact without a source is not loaded")
	}
	for i, s := range e.Sources {
		if ValidateSlug(s) != nil {
			add(fmt.Sprintf("sources[%d]", i), quote(s), "a source slug")
		}
	}
	switch e.Kind {
	case EdgeOrganised:
		if !slices.Contains(Roles, e.Role) {
			add("role", quote(string(e.Role)), fmt.Sprint("one of ", Roles))
		}
	case EdgePartnerOf:
		if !slices.Contains(PartnershipKinds, e.PartnershipKind) {
			add("kind", quote(string(e.PartnershipKind)), fmt.Sprint("one of ", PartnershipKinds))
		}
		if !slices.Contains(PartnershipStatuses, e.Status) {
			add("status", quote(string(e.Status)), fmt.Sprint("one of ", PartnershipStatuses))
		}
		if e.Through != nil && e.Through.Kind != KindAgreement && e.Through.Kind != KindForum {
			add("through", e.Through.String(), "an Agreement or a Forum")
		}
	case EdgeAttended:
		if e.DelegationSize < 0 {
			add("delegationSize", fmt.Sprint(e.DelegationSize), "zero (unknown) or more")
		}
	case EdgeDiscussed:
		if e.Position < 1 {
			add("position", fmt.Sprint(e.Position), "the agenda position, from 1")
		}
	case EdgeFinanced:
		if e.Amount == nil {
			add("amount", "nothing", "the amount financed")
		} else {
			ps = append(ps, validateMoney("amount", *e.Amount)...)
		}
	}
	ps = append(ps, validateText([]field{{"instrument", e.Instrument}, {"level", e.Level}, {"note", e.Note},
		{"request", e.Request}, {"requestZh", e.RequestZh}})...)
	return ps
}

func validateMoney(field string, m Money) []Problem {
	var ps []Problem
	if m.Amount < 0 {
		ps = append(ps, Problem{Field: field, Found: m.Amount.String(), Expected: "a non-negative amount"})
	}
	if _, err := ParseCurrency(string(m.Currency)); err != nil {
		ps = append(ps, Problem{Field: field + ".currency", Found: quote(string(m.Currency)), Expected: "an ISO 4217 code such as USD or CNY"})
	}
	return ps
}

// field is a named text value to check; a slice of them keeps the problems
// in a fixed order without a map and a sort on every row of a load.
type field struct{ name, value string }

func validateText(fields []field) []Problem {
	var ps []Problem
	for _, f := range fields {
		k, s := f.name, f.value
		if s == "" {
			continue
		}
		switch {
		case !utf8.ValidString(s):
			ps = append(ps, Problem{Field: k, Found: "invalid UTF-8", Expected: "UTF-8 text"})
		case len(s) > MaxTextLen:
			ps = append(ps, Problem{Field: k, Found: fmt.Sprintf("%d bytes", len(s)), Expected: fmt.Sprintf("at most %d bytes", MaxTextLen)})
		case strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 && r != '\n' && r != '\t' }):
			ps = append(ps, Problem{Field: k, Found: "a control character", Expected: "printable text"})
		}
	}
	return ps
}

func quote(s string) string { return fmt.Sprintf("%q", truncate(s, 60)) }
