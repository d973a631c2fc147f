package sidecar

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/automaldesc/automaldesc/analysis"
	"github.com/automaldesc/automaldesc/analysis/indicators"
	"github.com/automaldesc/automaldesc/analysis/lang"
	"github.com/automaldesc/automaldesc/analysis/verdict"
	"github.com/automaldesc/automaldesc/analysis/yarascan"
	"github.com/automaldesc/automaldesc/store"
)

var update = flag.Bool("update", false, "rewrite golden files under testdata")

func sampleReport() *analysis.Report {
	return &analysis.Report{
		SchemaVersion: analysis.SchemaVersion,
		ID:            "6f1c1a52-8a57-5e0b-9b55-0d1c7e3c2a10",
		AnalyzedAt:    time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC),
		Sample: analysis.SampleInfo{SHA256: "aa11", SHA1: "bb22", MD5: "cc33", Size: 81, Name: `cradle\n.ps1`,
			Path: "/var/quarantine/cradle.ps1", Source: "quarantine"},
		Status:   analysis.StatusOK,
		Language: lang.Result{Language: lang.PowerShell, Confidence: 0.99},
		Layers:   []analysis.Layer{},
		YARA:     []yarascan.Match{{Rule: "PS_Download_Cradle", Namespace: "bundled", Layer: 0}},
		Indicators: []indicators.Hit{{ID: "ps.iex", Title: "Invoke-Expression", Severity: indicators.Severity(3), Techniques: []string{"T1059.001"}},
			{ID: "ps.webclient", Title: "WebClient download", Techniques: []string{"T1105"}}},
		Techniques: []analysis.Technique{
			{ID: "T1059.001", Name: "PowerShell", Tactics: []string{"execution"}, Evidence: []string{"ps.iex"}},
			{ID: "T1105", Name: "Ingress Tool Transfer", Tactics: []string{"command-and-control"}, Evidence: []string{"ps.webclient"}},
		},
		Features:    map[string]float64{},
		Verdict:     analysis.Verdict{Label: verdict.Malicious, Score: 0.97654, Source: "model"},
		Explanation: analysis.Explanation{Summary: "Downloads from http://192.0.2.10/p.ps1 and evil.example then runs it.", Source: "offline"},
		Engine:      analysis.EngineInfo{Version: "test", RulesVersion: "r1", ModelVersion: "m1"},
	}
}

func TestECSGolden(t *testing.T) {
	got, err := json.MarshalIndent(ECS(sampleReport()), "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	path := filepath.Join("testdata", "ecs.golden.json")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("ECS document differs from %s (-want +got):\n%s", path, cmp.Diff(string(want), string(got)))
	}
}

func TestECSFields(t *testing.T) {
	d := ECS(sampleReport())
	tests := []struct {
		name      string
		got, want any
	}{
		{"kind", d.Event.Kind, "alert"},
		{"category", d.Event.Category, []string{"malware", "file"}},
		{"dataset", d.Event.Dataset, "automaldesc.alert"},
		{"outcome", d.Event.Outcome, "success"},
		{"severity", d.Event.Severity, 73},
		{"risk", d.Event.RiskScore, 97.65},
		{"techniques", d.Threat.Technique.ID, []string{"T1059.001", "T1105"}},
		{"tactics", d.Threat.Tactic.Name, []string{"command-and-control", "execution"}},
		{"rules", d.Rule.Name, []string{"PS_Download_Cradle", "ps.iex", "ps.webclient"}},
		{"message defanged", d.Message, "Downloads from hxxp://192[.]0[.]2[.]10/p.ps1 and evil[.]example then runs it."},
		{"hash", d.File.Hash.SHA256, "aa11"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, tc.got); diff != "" {
				t.Errorf("got %v, want %v", tc.got, tc.want)
			}
		})
	}
	// A skipped report has an outcome and a message still.
	r := sampleReport()
	r.Status, r.Reason, r.Explanation.Summary = analysis.StatusSkipped, "not a regular file", ""
	if d := ECS(r); d.Event.Outcome != "unknown" || d.Message != "not a regular file" {
		t.Errorf("skipped: got outcome %q message %q", d.Event.Outcome, d.Message)
	}
}

func TestEncodeECSRoundTrip(t *testing.T) {
	rec, err := NewRecord(sampleReport(), "item-1", "quarantine", "")
	if err != nil {
		t.Fatal(err)
	}
	rec.DuplicateOf = "earlier"
	b, err := EncodeECS(rec)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Automaldesc struct {
			ID          string `json:"id"`
			DuplicateOf string `json:"duplicate_of"`
			Verdict     struct {
				Label string `json:"label"`
			} `json:"verdict"`
		} `json:"automaldesc"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Automaldesc.ID != sampleReport().ID || doc.Automaldesc.DuplicateOf != "earlier" || doc.Automaldesc.Verdict.Label != "malicious" {
		t.Errorf("round trip: got %+v", doc.Automaldesc)
	}
	if _, err := EncodeECS(store.Record{ID: "x", Report: []byte("{")}); err == nil {
		t.Error("broken report JSON: got no error")
	}
}

func BenchmarkEncodeECS(b *testing.B) {
	rec, err := NewRecord(sampleReport(), "item-1", "quarantine", "")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := EncodeECS(rec); err != nil {
			b.Fatal(err)
		}
	}
}
