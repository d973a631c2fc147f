package lang

import (
	"fmt"
	"strings"
)

// Language is a script language that automaldesc understands. The zero
// value is Unknown: anything that is not one of the six supported languages
// (HTML, plain text, binaries, other programming languages).
type Language uint8

// The supported languages. The order is part of no contract; use the names.
const (
	Unknown Language = iota
	PowerShell
	JavaScript
	VBScript
	Batch
	Bash
	Python
)

var names = [...]string{
	Unknown:    "unknown",
	PowerShell: "powershell",
	JavaScript: "javascript",
	VBScript:   "vbscript",
	Batch:      "batch",
	Bash:       "bash",
	Python:     "python",
}

// All returns the six supported languages (Unknown excluded) in a stable order.
func All() []Language {
	return []Language{PowerShell, JavaScript, VBScript, Batch, Bash, Python}
}

// String returns the lower-case name used in reports and manifests.
func (l Language) String() string {
	if int(l) < len(names) {
		return names[l]
	}
	return fmt.Sprintf("language(%d)", uint8(l))
}

// Title is the language's name as people write it ("PowerShell",
// "Bash/sh"); Unknown has none ("").
func (l Language) Title() string {
	switch l {
	case PowerShell:
		return "PowerShell"
	case JavaScript:
		return "JavaScript"
	case VBScript:
		return "VBScript"
	case Batch:
		return "Batch"
	case Bash:
		return "Bash/sh"
	case Python:
		return "Python"
	}
	return ""
}

// MarshalText implements encoding.TextMarshaler.
func (l Language) MarshalText() ([]byte, error) { return []byte(l.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (l *Language) UnmarshalText(b []byte) error {
	v, err := Parse(string(b))
	if err != nil {
		return err
	}
	*l = v
	return nil
}

// Parse maps a name to a Language. It accepts the report names and a few
// common aliases (ps1, js, jscript, vbs, bat, cmd, sh, py) case-insensitively.
func Parse(s string) (Language, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "unknown", "":
		return Unknown, nil
	case "powershell", "ps1", "ps":
		return PowerShell, nil
	case "javascript", "js", "jscript":
		return JavaScript, nil
	case "vbscript", "vbs", "vb":
		return VBScript, nil
	case "batch", "bat", "cmd":
		return Batch, nil
	case "bash", "sh", "shell":
		return Bash, nil
	case "python", "py":
		return Python, nil
	}
	return Unknown, fmt.Errorf("unknown language %q", s)
}
