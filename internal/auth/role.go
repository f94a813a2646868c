package auth

import (
	"fmt"
	"strings"
)

// roleNames are the roles as operators and tokens write them.
var roleNames = [...]string{Anonymous: "anonymous", Reader: "reader", Editor: "editor", Admin: "admin"}

func (r Role) String() string {
	if r < Anonymous || int(r) >= len(roleNames) {
		return fmt.Sprintf("Role(%d)", int(r))
	}
	return roleNames[r]
}

// ParseRole reads a credential's role: reader, editor or admin (any case).
// Anonymous is no credential's role, so it is refused.
func ParseRole(s string) (Role, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "reader":
		return Reader, nil
	case "editor":
		return Editor, nil
	case "admin":
		return Admin, nil
	}
	return Anonymous, fmt.Errorf("role %q is not reader, editor or admin", s)
}
