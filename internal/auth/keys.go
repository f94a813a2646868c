package auth

import (
	"bufio"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"strings"
)

// KeyPrefix starts every API key, so that a key is told from a JWT at a
// glance and secret scanners can find one pasted where it should not be.
const KeyPrefix = "cgk_"

// An API key is KeyPrefix and 32 random bytes (256 bits) in unpadded
// base64url. The service stores only its SHA-256: a random key that long
// cannot be guessed from its hash, so a slow password hash would add
// nothing but a cost to every request.

// APIKey is one configured key: its holder's name, its role and the
// SHA-256 of the key.
type APIKey struct {
	Name string
	Role Role
	Hash [sha256.Size]byte
}

// KeySet is the operator's configured API keys.
type KeySet []APIKey

// NewKey returns a fresh random key and the line that configures it
// ("name:role:hash"), for CITYGRAPH_API_KEYS or its file.
func NewKey(name string, role Role) (key, line string, err error) {
	if err := checkKeyName(name); err != nil {
		return "", "", err
	}
	if role < Reader || role > Admin {
		return "", "", fmt.Errorf("role %s cannot be given to a key; use reader, editor or admin", role)
	}
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", "", err
	}
	key = KeyPrefix + base64.RawURLEncoding.EncodeToString(b[:])
	h := sha256.Sum256([]byte(key))
	return key, name + ":" + role.String() + ":" + hex.EncodeToString(h[:]), nil
}

// ParseKeys reads API key lines, "name:role:hash" (the hash as hex),
// separated by commas or newlines; blank lines and lines starting with #
// are skipped. Every bad line is reported, naming it.
func ParseKeys(text string) (KeySet, error) {
	var ks KeySet
	var errs []string
	names := map[string]bool{}
	sc := bufio.NewScanner(strings.NewReader(strings.ReplaceAll(text, ",", "\n")))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, err := parseKeyLine(line)
		if err == nil && names[k.Name] {
			err = fmt.Errorf("the name %q is given to two keys; names must differ, as the change log records them", k.Name)
		}
		if err != nil {
			errs = append(errs, fmt.Sprintf("entry %d: %v", n, err))
			continue
		}
		names[k.Name] = true
		ks = append(ks, k)
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("%s (write name:role:sha256-hex, as `citygraph key new` prints)", strings.Join(errs, "; "))
	}
	return ks, nil
}

// ReadKeys reads a file of key lines (see ParseKeys).
func ReadKeys(r io.Reader) (KeySet, error) {
	b, err := io.ReadAll(io.LimitReader(r, 1<<20))
	if err != nil {
		return nil, err
	}
	return ParseKeys(string(b))
}

func parseKeyLine(line string) (APIKey, error) {
	parts := strings.Split(line, ":")
	if len(parts) != 3 {
		return APIKey{}, fmt.Errorf("%d fields separated by ':', expected 3", len(parts))
	}
	name := strings.TrimSpace(parts[0])
	if err := checkKeyName(name); err != nil {
		return APIKey{}, err
	}
	role, err := ParseRole(parts[1])
	if err != nil {
		return APIKey{}, fmt.Errorf("key %q: %v", name, err)
	}
	h, err := hex.DecodeString(strings.TrimSpace(parts[2]))
	if err != nil || len(h) != sha256.Size {
		return APIKey{}, fmt.Errorf("key %q: the hash is not 64 hexadecimal digits (a SHA-256)", name)
	}
	k := APIKey{Name: name, Role: role}
	copy(k.Hash[:], h)
	return k, nil
}

func checkKeyName(name string) error {
	if name == "" || strings.ContainsAny(name, ":,# \t\r\n") {
		return fmt.Errorf("key name %q must be non-empty, without spaces, ':', ',' or '#'", name)
	}
	return nil
}

// Lookup returns the principal of key, and false if no configured key
// matches. Every configured hash is compared, in constant time, so the
// time taken says nothing about which key nearly matched.
func (ks KeySet) Lookup(key string) (Principal, bool) {
	h := sha256.Sum256([]byte(key))
	found := -1
	for i := range ks {
		if subtle.ConstantTimeCompare(h[:], ks[i].Hash[:]) == 1 {
			found = i
		}
	}
	if found < 0 {
		return Principal{}, false
	}
	return Principal{Subject: ks[found].Name, Role: ks[found].Role}, true
}
