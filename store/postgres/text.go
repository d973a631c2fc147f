package postgres

import (
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/automaldesc/automaldesc/store"
)

// PostgreSQL text holds valid UTF-8 without NUL bytes; Go strings (and
// SQLite) hold any bytes, and file names, paths and analyst notes are
// untrusted. Identifiers and keys (ids, sha256, sink names, versions) must
// be storable text: anything else is store.ErrInvalid. Free-text columns
// are stored sanitized (display and search) and their exact bytes kept in
// the row's "raw" column when they differ, so every value round-trips.

// storable reports whether PostgreSQL text can hold s as it is.
func storable(s string) bool {
	return utf8.ValidString(s) && strings.IndexByte(s, 0) < 0
}

// sanitize returns s as PostgreSQL text: invalid UTF-8 and NUL bytes
// become U+FFFD.
func sanitize(s string) string {
	if storable(s) {
		return s
	}
	return strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "\uFFFD")
}

// validText fails with ErrInvalid when s cannot be stored as text.
func validText(what, s string) error {
	if !storable(s) {
		return fmt.Errorf("%s %.64q: not valid UTF-8 text without NUL: %w", what, s, store.ErrInvalid)
	}
	return nil
}

// exact collects the exact values of the free-text columns of one row that
// PostgreSQL text cannot hold; it is stored as the row's raw column.
type exact map[string][]byte

// text returns the column's storable text and remembers the exact value
// when it differs.
func (e exact) text(col, s string) string {
	if storable(s) {
		return s
	}
	e[col] = []byte(s)
	return sanitize(s)
}

// raw encodes the collected values for the raw column: nil (NULL) when
// every column was exact.
func (e exact) raw() []byte {
	if len(e) == 0 {
		return nil
	}
	b, err := json.Marshal(map[string][]byte(e)) // []byte marshals as base64: exact
	if err != nil {
		panic(fmt.Sprintf("postgres: marshal raw columns: %v", err)) // a map of []byte always marshals
	}
	return b
}

// restore overwrites the sanitized strings with the exact values of a raw
// column read back.
func restore(raw []byte, cols map[string]*string) error {
	if len(raw) == 0 {
		return nil
	}
	var e map[string][]byte
	if err := json.Unmarshal(raw, &e); err != nil {
		return fmt.Errorf("raw columns: %w", err)
	}
	for col, b := range e {
		if dst, ok := cols[col]; ok {
			*dst = string(b)
		}
	}
	return nil
}
