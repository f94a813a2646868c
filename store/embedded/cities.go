package embedded

import (
	"github.com/citygraph/citygraph/domain"
)

// cityKey is the key of the city with slug id.
func cityKey(id string) domain.NodeKey { return domain.NodeKey{Kind: domain.KindCity, ID: id} }

// requireCity returns ENOTFOUND unless city id exists, so that an analytic
// about an unknown city fails instead of answering nothing.
func (st *state) requireCity(id string) error {
	if _, ok := st.nodes[cityKey(id)]; !ok {
		return domain.Errorf(domain.ENOTFOUND, "city %q does not exist", id)
	}
	return nil
}
