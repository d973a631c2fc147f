package llm

import (
	"context"
	"testing"

	"github.com/automaldesc/automaldesc/analysis"
)

func TestReportTextAndFirstOf(t *testing.T) {
	r := &analysis.Report{Layers: []analysis.Layer{{Index: 0, Text: "Write-Host hi"}}}
	got, err := FirstOf{FileScript{}, ReportText{}}.Script(context.Background(), r)
	if err != nil || got != "Write-Host hi" {
		t.Errorf("FirstOf(file, report): got %q, %v; want the report's text", got, err)
	}
	if _, err := (ReportText{}).Script(context.Background(), &analysis.Report{}); err == nil {
		t.Error("ReportText on a report without layers: got nil error")
	}
}
