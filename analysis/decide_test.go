package analysis

import (
	"fmt"
	"testing"

	"github.com/automaldesc/automaldesc/analysis/indicators"
)

// TestFindingReason: reason writes what fmt's "%s (%s): %s" did, invalid
// severities included.
func TestFindingReason(t *testing.T) {
	for _, f := range []finding{
		{"ps.exec.iex", "Invoke-Expression", indicators.SeverityHigh},
		{"yara:Rule_1", "", indicators.SeverityCritical},
		{"", "title with %s and %d", indicators.SeverityUnknown},
		{"x", "y", indicators.Severity(200)},
	} {
		if got, want := f.reason(), fmt.Sprintf("%s (%s): %s", f.id, f.severity, f.title); got != want {
			t.Errorf("reason %+v = %q, want %q", f, got, want)
		}
	}
}
