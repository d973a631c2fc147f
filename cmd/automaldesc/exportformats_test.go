package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/automaldesc/automaldesc/analysis"
	"github.com/automaldesc/automaldesc/sidecar"
	"github.com/automaldesc/automaldesc/store/sqlite"
)

// exportFixtures are reports the real engine produced (kept by the formats
// package's golden tests): two malicious scripts and a benign one.
func exportFixtures(t *testing.T) []*analysis.Report {
	t.Helper()
	var out []*analysis.Report
	for _, name := range []string{"cradle.ps1", "implant.sh", "greet.js"} {
		b, err := os.ReadFile(filepath.Join("..", "..", "integrations", "formats", "testdata", "reports", name+".json"))
		if err != nil {
			t.Fatal(err)
		}
		var r analysis.Report
		if err := json.Unmarshal(b, &r); err != nil {
			t.Fatal(err)
		}
		out = append(out, &r)
	}
	return out
}

// runExportAlerts builds the command and runs it with args.
func runExportAlerts(t *testing.T, stdin string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var o, e bytes.Buffer
	a := &app{stdin: strings.NewReader(stdin), stdout: &o, stderr: &e}
	cmd := newExportAlertsCmd(a)
	cmd.SetArgs(args)
	cmd.SetOut(&o)
	cmd.SetErr(&e)
	cmd.SilenceUsage, cmd.SilenceErrors = true, true
	err = cmd.ExecuteContext(context.Background())
	return o.String(), e.String(), err
}

func docs(t *testing.T, out string) []map[string]any {
	t.Helper()
	var res []map[string]any
	for _, l := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		if l == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("line is not one JSON document: %v: %.80s", err, l)
		}
		res = append(res, m)
	}
	return res
}

func TestExportAlertsFromJSONL(t *testing.T) {
	var jsonl bytes.Buffer
	reports := exportFixtures(t)
	for _, r := range reports {
		b, _ := json.Marshal(r)
		jsonl.Write(b)
		jsonl.WriteString("\n\n")
	}
	in := filepath.Join(t.TempDir(), "reports.jsonl")
	if err := os.WriteFile(in, jsonl.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		args  []string
		check func(t *testing.T, d []map[string]any)
	}{
		{"stix one bundle per report", []string{"--format", "stix", "--in", in}, func(t *testing.T, d []map[string]any) {
			if len(d) != 3 {
				t.Fatalf("got %d documents, want 3", len(d))
			}
			for _, m := range d {
				if m["type"] != "bundle" || !strings.HasPrefix(m["id"].(string), "bundle--") {
					t.Errorf("got %v %v, want a STIX bundle", m["type"], m["id"])
				}
			}
		}},
		{"ocsf with label filter", []string{"--format", "OCSF", "--in", in, "--label", "malicious,suspicious"}, func(t *testing.T, d []map[string]any) {
			if len(d) != 2 {
				t.Fatalf("got %d documents, want 2 (the benign script filtered out)", len(d))
			}
			for _, m := range d {
				if m["class_uid"] != 2004.0 {
					t.Errorf("class_uid: got %v, want 2004", m["class_uid"])
				}
			}
		}},
		{"misp from stdin", []string{"--format", "misp", "--in", "-"}, func(t *testing.T, d []map[string]any) {
			if len(d) != 3 || d[0]["Event"] == nil {
				t.Fatalf("got %d documents, want 3 MISP events", len(d))
			}
		}},
		{"ecs", []string{"--format", "ecs", "--in", in}, func(t *testing.T, d []map[string]any) {
			for i, m := range d {
				if got := m["event"].(map[string]any)["id"]; got != reports[i].ID {
					t.Errorf("event.id: got %v, want %s", got, reports[i].ID)
				}
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, stderr, err := runExportAlerts(t, jsonl.String(), tt.args...)
			if err != nil {
				t.Fatalf("export: %v (stderr %s)", err, stderr)
			}
			tt.check(t, docs(t, out))
		})
	}
}

func TestExportAlertsFromStore(t *testing.T) {
	ctx := context.Background()
	db := filepath.Join(t.TempDir(), "a.db")
	st, err := sqlite.Open(ctx, db, nil)
	if err != nil {
		t.Fatal(err)
	}
	reports := exportFixtures(t)
	for _, r := range reports {
		rec, err := sidecar.NewRecord(r, "", "cli", "")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.PutRecord(ctx, rec); err != nil {
			t.Fatal(err)
		}
	}
	st.Close()
	outFile := filepath.Join(t.TempDir(), "alerts.ndjson")
	_, stderr, err := runExportAlerts(t, "", "--format", "ocsf", "--db", db, "--out", outFile)
	if err != nil {
		t.Fatalf("export: %v (stderr %s)", err, stderr)
	}
	b, err := os.ReadFile(outFile)
	if err != nil {
		t.Fatal(err)
	}
	d := docs(t, string(b))
	if len(d) != 3 {
		t.Fatalf("got %d documents, want 3", len(d))
	}
	for i, m := range d {
		if got := m["finding_info"].(map[string]any)["uid"]; got != reports[i].ID {
			t.Errorf("document %d: finding_info.uid got %v, want %s (store order)", i, got, reports[i].ID)
		}
	}
	if !strings.Contains(stderr, "exported 3 records as ocsf") {
		t.Errorf("stderr: got %q, want the count", stderr)
	}
	// Exporting again gives the same bytes (deterministic ids).
	again, _, err := runExportAlerts(t, "", "--format", "ocsf", "--db", db)
	if err != nil || again != string(b) {
		t.Errorf("second export differs or failed: %v", err)
	}
}

func TestExportAlertsErrors(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "bad.jsonl")
	good, _ := json.Marshal(exportFixtures(t)[0])
	if err := os.WriteFile(bad, []byte("{not json\n"+string(good)+"\n{\"sha256\":\"ab\",\"label\":1,\"summary\":\"paper view\"}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(t.TempDir(), "none.db")
	tests := []struct {
		name       string
		args       []string
		wantErr    string
		wantOut    int
		wantStderr string
	}{
		{"no format", []string{"--in", bad}, "--format is required", 0, ""},
		{"unknown format", []string{"--format", "cef", "--in", bad}, "want one of ecs, ocsf, stix, misp", 0, ""},
		{"db and in", []string{"--format", "stix", "--in", bad, "--db", missing}, "not both", 0, ""},
		{"missing store is not created", []string{"--format", "stix", "--db", missing}, "none.db", 0, ""},
		{"bad lines reported, good ones written", []string{"--format", "misp", "--in", bad}, "2 records could not be read", 1, "bad.jsonl:3: not an automaldesc report"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, stderr, err := runExportAlerts(t, "", tt.args...)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("got error %v, want one containing %q", err, tt.wantErr)
			}
			var ee *exitError
			if !errors.As(err, &ee) || ee.code != exitFailure {
				t.Errorf("got %v, want exit status %d", err, exitFailure)
			}
			if n := len(docs(t, out)); n != tt.wantOut {
				t.Errorf("got %d documents, want %d", n, tt.wantOut)
			}
			if !strings.Contains(stderr, tt.wantStderr) {
				t.Errorf("stderr: got %q, want %q", stderr, tt.wantStderr)
			}
		})
	}
	if _, err := os.Stat(missing); err == nil {
		t.Error("export created the missing store file")
	}
}
