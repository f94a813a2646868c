package domain

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Date is an ISO 8601 calendar date that may be reduced in precision:
// "2015", "2015-09" or "2015-09-19". Sources often give only a year, and a
// made-up day would be a false fact. The zero value means unknown.
//
// Dates order as strings; a reduced date sorts before every full date in its
// period, so "as of" comparisons treat it as the start of that period.
type Date string

// ParseDate validates s as a Date. The empty string is the unknown date.
// It runs once per relation on every load, so it checks the digits by hand
// rather than through a regular expression and time.Parse.
func ParseDate(s string) (Date, error) {
	if s == "" {
		return "", nil
	}
	if !validDate(s) {
		return "", Errorf(EINVALID, "date %q is not a calendar date of the form YYYY, YYYY-MM or YYYY-MM-DD", s)
	}
	return Date(s), nil
}

func validDate(s string) bool {
	n := len(s)
	if n != 4 && n != 7 && n != 10 {
		return false
	}
	num := func(from, to int) (int, bool) {
		v := 0
		for i := from; i < to; i++ {
			c := s[i]
			if c < '0' || c > '9' {
				return 0, false
			}
			v = v*10 + int(c-'0')
		}
		return v, true
	}
	year, ok := num(0, 4)
	if !ok {
		return false
	}
	if n == 4 {
		return true
	}
	month, ok := num(5, 7)
	if s[4] != '-' || !ok || month < 1 || month > 12 {
		return false
	}
	if n == 7 {
		return true
	}
	day, ok := num(8, 10)
	if s[7] != '-' || !ok || day < 1 {
		return false
	}
	return day <= time.Date(year, time.Month(month)+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// Known reports whether the date is set.
func (d Date) Known() bool { return d != "" }

// Year returns the date's year, 0 when unknown.
func (d Date) Year() int {
	if len(d) < 4 {
		return 0
	}
	y, _ := strconv.Atoi(string(d[:4]))
	return y
}

// OnOrBefore reports whether d is known and not after asOf. A relation with
// an unknown start date is never excluded by callers: they check Known first.
func (d Date) OnOrBefore(asOf Date) bool { return d.Known() && string(d) <= string(asOf) }

// ActiveAsOf reports whether a relation that began on since existed on
// asOf. An empty asOf means "now" (everything); an unknown start counts as
// always. Use Edge.ActiveOn for a relation, which may also have ended.
func ActiveAsOf(since, asOf Date) bool {
	return asOf == "" || !since.Known() || string(since) <= string(asOf)
}

// ActiveOn reports whether e existed on asOf: from its Since (unknown:
// always) until the day before its Until (unknown: it lasts). An empty asOf
// means every relation, ended ones included. A reduced date is the start
// of its period, as everywhere: Until "2020" ends the relation before
// asOf "2020-05".
func (e *Edge) ActiveOn(asOf Date) bool {
	return ActiveAsOf(e.Since, asOf) && (asOf == "" || !e.Until.Known() || string(asOf) < string(e.Until))
}

// Decimal is a non-negative or signed fixed-point amount with two decimal
// places, held as hundredths so that sums are exact on every store.
type Decimal int64

// ParseDecimal reads "207600000", "1.5" or "1.25"; more than two decimals is
// an error rather than a silent rounding.
func ParseDecimal(s string) (Decimal, error) {
	s = strings.TrimSpace(s)
	neg := strings.HasPrefix(s, "-")
	body := strings.TrimPrefix(s, "-")
	whole, frac, hasFrac := strings.Cut(body, ".")
	if whole == "" || (hasFrac && (frac == "" || len(frac) > 2)) {
		return 0, Errorf(EINVALID, "amount %q is not a decimal number with at most two decimals", s)
	}
	for _, r := range whole + frac {
		if r < '0' || r > '9' {
			return 0, Errorf(EINVALID, "amount %q is not a decimal number", s)
		}
	}
	w, err := strconv.ParseInt(whole, 10, 64)
	if err != nil || w > math.MaxInt64/100-1 {
		return 0, Errorf(EINVALID, "amount %q is too large", s)
	}
	for len(frac) < 2 {
		frac += "0"
	}
	f, _ := strconv.ParseInt(frac, 10, 64)
	v := Decimal(w*100 + f)
	if neg {
		v = -v
	}
	return v, nil
}

// String renders the amount without trailing zero decimals: "207600000", "1.5".
func (d Decimal) String() string {
	sign := ""
	v := int64(d)
	if v < 0 {
		sign, v = "-", -v
	}
	s := fmt.Sprintf("%s%d", sign, v/100)
	if c := v % 100; c != 0 {
		s += strings.TrimRight(fmt.Sprintf(".%02d", c), "0")
	}
	return s
}

// Money is an amount in one currency. Amounts in different currencies are
// never added together.
type Money struct {
	Amount   Decimal
	Currency Currency
}

// Currency is an ISO 4217 alphabetic code.
type Currency string

// currencies are the ISO 4217 codes citygraph accepts; an unknown code is
// far more often a typo than a new currency.
var currencies = strings.Fields(`AED ARS AUD BDT BND BRL CAD CHF CNY COP DZD EGP EUR GBP HKD IDR INR
JPY KHR KRW KZT LAK LKR MMK MNT MOP MXN MYR NPR NZD PHP PKR RUB SAR SDR SGD THB TRY TWD USD UZS VND XDR ZAR`)

// ParseCurrency validates an ISO 4217 code.
func ParseCurrency(s string) (Currency, error) {
	if !slices.Contains(currencies, s) {
		return "", Errorf(EINVALID, "unknown currency %q; expected an ISO 4217 code such as USD or CNY", s)
	}
	return Currency(s), nil
}

// GeoPoint is a WGS 84 location.
type GeoPoint struct {
	Lat float64
	Lon float64
}

// Validate checks the coordinate ranges.
func (p GeoPoint) Validate() error {
	if math.IsNaN(p.Lat) || p.Lat < -90 || p.Lat > 90 {
		return Errorf(EINVALID, "latitude %v is out of range; expected -90 to 90", p.Lat)
	}
	if math.IsNaN(p.Lon) || p.Lon < -180 || p.Lon > 180 {
		return Errorf(EINVALID, "longitude %v is out of range; expected -180 to 180", p.Lon)
	}
	return nil
}

// earthRadiusKm is the mean Earth radius; Neo4j's point.distance uses the
// same spherical model, so both stores agree to well under a metre per km.
const earthRadiusKm = 6371.0

// DistanceKm returns the great-circle (haversine) distance in kilometres.
func DistanceKm(a, b GeoPoint) float64 {
	const rad = math.Pi / 180
	dLat := (b.Lat - a.Lat) * rad
	dLon := (b.Lon - a.Lon) * rad
	h := math.Sin(dLat/2)*math.Sin(dLat/2) +
		math.Cos(a.Lat*rad)*math.Cos(b.Lat*rad)*math.Sin(dLon/2)*math.Sin(dLon/2)
	return 2 * earthRadiusKm * math.Asin(math.Min(1, math.Sqrt(h)))
}

// InRange reports whether d lies in [from, to], either end optional: from
// <= d, and d <= to or d within the period to names ("2017-05" is within
// "2017"). An unknown date is outside every range that has an end.
func (d Date) InRange(from, to Date) bool {
	if from == "" && to == "" {
		return true
	}
	if !d.Known() {
		return false
	}
	return (from == "" || d >= from) && (to == "" || d <= to || strings.HasPrefix(string(d), string(to)))
}
