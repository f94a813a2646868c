package seed_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/citygraph/citygraph/seed"
)

// The dossier records are read as YAML and written as JSON (by package
// export): each field has the same name in both.
func TestRecordFieldsHaveOneNameInYAMLAndJSON(t *testing.T) {
	for _, rec := range []any{
		seed.Ref{}, seed.MetaRecord{}, seed.NodeRecord{}, seed.SourceRecord{}, seed.GroupingRecord{}, seed.CityRecord{},
		seed.OrganizationRecord{}, seed.MoneyRecord{}, seed.FundingBodyRecord{}, seed.MembershipRecord{}, seed.EventRecord{},
		seed.ForumRecord{}, seed.OrganiserRecord{}, seed.AttendeeRecord{}, seed.TopicRecord{}, seed.AgreementRecord{},
		seed.SignatoryRecord{}, seed.AppealRecord{}, seed.ProjectRecord{}, seed.LocationRecord{}, seed.FinancingRecord{},
		seed.PartnershipRecord{},
	} {
		typ := reflect.TypeOf(rec)
		t.Run(typ.Name(), func(t *testing.T) {
			for i := range typ.NumField() {
				f := typ.Field(i)
				yamlName, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
				jsonName, _, _ := strings.Cut(f.Tag.Get("json"), ",")
				if f.Anonymous {
					if yamlName != "" || jsonName != "" || f.Tag.Get("yaml") != ",inline" {
						t.Errorf("%s: an embedded record is inlined in both (yaml \",inline\", no json tag); got tag %q", f.Name, f.Tag)
					}
					continue
				}
				if yamlName == "" || yamlName != jsonName {
					t.Errorf("%s: got yaml name %q and json name %q, want one name", f.Name, yamlName, jsonName)
				}
			}
		})
	}
}
