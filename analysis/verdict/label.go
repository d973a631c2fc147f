package verdict

import (
	"encoding"
	"fmt"
	"strings"
)

// Label is the decision of the verdict model. The zero value is Unknown:
// the evidence was insufficient to decide.
type Label uint8

// The labels, in increasing order of severity after Unknown.
const (
	Unknown Label = iota
	Benign
	Suspicious
	Malicious
)

var labelNames = [...]string{
	Unknown:    "unknown",
	Benign:     "benign",
	Suspicious: "suspicious",
	Malicious:  "malicious",
}

var (
	_ encoding.TextMarshaler   = Label(0)
	_ encoding.TextUnmarshaler = (*Label)(nil)
	_ fmt.Stringer             = Label(0)
)

// String returns "unknown", "benign", "suspicious" or "malicious".
func (l Label) String() string {
	if int(l) < len(labelNames) {
		return labelNames[l]
	}
	return fmt.Sprintf("label(%d)", uint8(l))
}

// MarshalText implements encoding.TextMarshaler. Out-of-range values are an
// error so that a corrupt label never reaches a report.
func (l Label) MarshalText() ([]byte, error) {
	if int(l) >= len(labelNames) {
		return nil, fmt.Errorf("invalid label %d", uint8(l))
	}
	return []byte(labelNames[l]), nil
}

// UnmarshalText implements encoding.TextUnmarshaler.
func (l *Label) UnmarshalText(b []byte) error {
	v, err := ParseLabel(string(b))
	if err != nil {
		return err
	}
	*l = v
	return nil
}

// ParseLabel maps a label name (case-insensitive, surrounding space ignored)
// to a Label.
func ParseLabel(s string) (Label, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	for i, n := range labelNames {
		if s == n {
			return Label(i), nil
		}
	}
	return Unknown, fmt.Errorf("unknown verdict label %q", s)
}
