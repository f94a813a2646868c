package domain

import (
	"io"
	"slices"
	"strconv"
	"strings"
)

// Enumerations are stored as lower_snake strings (the seed files' spelling)
// and shown in GraphQL as UPPER_SNAKE enum values.

// OrgKind is what kind of body an Organization is.
type OrgKind string

const (
	OrgMayorsAssociation OrgKind = "mayors_association"
	OrgCityGovernment    OrgKind = "city_government"
	OrgExpoSecretariat   OrgKind = "expo_secretariat"
	OrgResearchInstitute OrgKind = "research_institute"
	OrgEnterprise        OrgKind = "enterprise"
	OrgConsulate         OrgKind = "consulate"
	OrgGovernmentAgency  OrgKind = "government_agency"
	OrgInternational     OrgKind = "international_organization"
	OrgOther             OrgKind = "other"
)

var OrgKinds = []OrgKind{OrgMayorsAssociation, OrgCityGovernment, OrgExpoSecretariat, OrgResearchInstitute,
	OrgEnterprise, OrgConsulate, OrgGovernmentAgency, OrgInternational, OrgOther}

// Role is an organisation's part in a forum edition.
type Role string

const (
	RoleHost        Role = "host"         // 主办
	RoleOrganiser   Role = "organiser"    // 承办
	RoleCoOrganiser Role = "co_organiser" // 协办
	RoleSupporter   Role = "supporter"    // 支持
)

var Roles = []Role{RoleHost, RoleOrganiser, RoleCoOrganiser, RoleSupporter}

// PartnershipKind is the form of a partnership between two cities.
type PartnershipKind string

const (
	PartnershipSisterCity     PartnershipKind = "sister_city"
	PartnershipFriendshipCity PartnershipKind = "friendship_city"
	PartnershipCooperation    PartnershipKind = "cooperation"
)

var PartnershipKinds = []PartnershipKind{PartnershipSisterCity, PartnershipFriendshipCity, PartnershipCooperation}

// PartnershipStatus says whether a partnership is concluded.
type PartnershipStatus string

const (
	PartnershipEstablished PartnershipStatus = "established"
	PartnershipPending     PartnershipStatus = "pending"
)

var PartnershipStatuses = []PartnershipStatus{PartnershipEstablished, PartnershipPending}

// Sector is a field of cooperation: the six areas of the Nanning Consensus
// and the sectors development banks finance.
type Sector string

const (
	SectorConnectivity   Sector = "connectivity"
	SectorMaritime       Sector = "maritime"
	SectorInvestment     Sector = "investment"
	SectorTourism        Sector = "tourism"
	SectorIndustry       Sector = "industry"
	SectorPeopleToPeople Sector = "people_to_people"
	SectorEnergy         Sector = "energy"
	SectorWater          Sector = "water"
	SectorUrban          Sector = "urban"
	SectorAgriculture    Sector = "agriculture"
	SectorHealth         Sector = "health"
)

var Sectors = []Sector{SectorConnectivity, SectorMaritime, SectorInvestment, SectorTourism, SectorIndustry,
	SectorPeopleToPeople, SectorEnergy, SectorWater, SectorUrban, SectorAgriculture, SectorHealth}

// ProjectStatus is where a project stands.
type ProjectStatus string

const (
	ProjectProposed  ProjectStatus = "proposed"
	ProjectApproved  ProjectStatus = "approved"
	ProjectOngoing   ProjectStatus = "ongoing"
	ProjectCompleted ProjectStatus = "completed"
	ProjectCancelled ProjectStatus = "cancelled"
)

var ProjectStatuses = []ProjectStatus{ProjectProposed, ProjectApproved, ProjectOngoing, ProjectCompleted, ProjectCancelled}

// Division is the administrative level of a City node: several partners in
// the sources are provinces or districts rather than cities.
type Division string

const (
	DivisionCity     Division = "city"
	DivisionProvince Division = "province"
	DivisionDistrict Division = "district"
	DivisionRegion   Division = "region"
)

var Divisions = []Division{DivisionCity, DivisionProvince, DivisionDistrict, DivisionRegion}

// ParseEnum validates s against the allowed values of an enumeration; what
// names the field in the error ("partnership kind").
func ParseEnum[T ~string](what, s string, allowed []T) (T, error) {
	v := T(strings.ToLower(strings.TrimSpace(s)))
	if slices.Contains(allowed, v) {
		return v, nil
	}
	return "", Errorf(EINVALID, "unknown %s %q; expected one of %v", what, s, allowed)
}

// The GraphQL marshalling below lets gqlgen bind its enums to these types.

func marshalEnum(w io.Writer, s string) { io.WriteString(w, strconv.Quote(strings.ToUpper(s))) }

func unmarshalEnum[T ~string](what string, v any, allowed []T) (T, error) {
	s, ok := v.(string)
	if !ok {
		return "", Errorf(EINVALID, "%s must be an enum value, got %T", what, v)
	}
	return ParseEnum(what, s, allowed)
}

func (v OrgKind) MarshalGQL(w io.Writer) { marshalEnum(w, string(v)) }
func (v *OrgKind) UnmarshalGQL(x any) (err error) {
	*v, err = unmarshalEnum("organization kind", x, OrgKinds)
	return
}
func (v Role) MarshalGQL(w io.Writer)            { marshalEnum(w, string(v)) }
func (v *Role) UnmarshalGQL(x any) (err error)   { *v, err = unmarshalEnum("role", x, Roles); return }
func (v PartnershipKind) MarshalGQL(w io.Writer) { marshalEnum(w, string(v)) }
func (v *PartnershipKind) UnmarshalGQL(x any) (err error) {
	*v, err = unmarshalEnum("partnership kind", x, PartnershipKinds)
	return
}
func (v PartnershipStatus) MarshalGQL(w io.Writer) { marshalEnum(w, string(v)) }
func (v *PartnershipStatus) UnmarshalGQL(x any) (err error) {
	*v, err = unmarshalEnum("partnership status", x, PartnershipStatuses)
	return
}
func (v Sector) MarshalGQL(w io.Writer) { marshalEnum(w, string(v)) }
func (v *Sector) UnmarshalGQL(x any) (err error) {
	*v, err = unmarshalEnum("sector", x, Sectors)
	return
}
func (v ProjectStatus) MarshalGQL(w io.Writer) { marshalEnum(w, string(v)) }
func (v *ProjectStatus) UnmarshalGQL(x any) (err error) {
	*v, err = unmarshalEnum("project status", x, ProjectStatuses)
	return
}
func (v Division) MarshalGQL(w io.Writer) { marshalEnum(w, string(v)) }
func (v *Division) UnmarshalGQL(x any) (err error) {
	*v, err = unmarshalEnum("division", x, Divisions)
	return
}

// String forms used in messages.
func (k Kind) String() string     { return string(k) }
func (k EdgeKind) String() string { return string(k) }
