package formats

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/automaldesc/automaldesc/analysis"
	"github.com/automaldesc/automaldesc/analysis/explain"
	"github.com/automaldesc/automaldesc/analysis/indicators"
	"github.com/automaldesc/automaldesc/analysis/verdict/builtin"
	"github.com/automaldesc/automaldesc/rules"
	"github.com/automaldesc/automaldesc/sidecar"
)

var update = flag.Bool("update", false, "re-analyse testdata/scripts into testdata/reports and rewrite the golden files")

// fixedTime is the AnalyzedAt of every stored report.
var fixedTime = time.Date(2026, 3, 4, 5, 6, 7, 123000000, time.UTC)

// scripts are the inert fixtures of testdata/scripts.
var scripts = []string{"cradle.ps1", "implant.sh", "greet.js"}

var engineOnce = sync.OnceValues(func() (*analysis.Engine, error) {
	live, err := rules.NewLive()
	if err != nil {
		return nil, err
	}
	model, err := builtin.Model()
	if err != nil {
		return nil, err
	}
	cat := indicators.Default()
	return analysis.New(analysis.Options{
		Version: "test",
		Limits: analysis.Limits{MaxFileSize: 1 << 20, SampleTimeout: 10 * time.Second,
			DecodeDepth: 8, DecodeRatio: 16, DecodeBytes: 64 << 20, MaxLayers: 64},
		Rules:     live,
		Catalog:   cat,
		Model:     model,
		Explainer: explain.NewOffline(cat),
		TopK:      8,
	})
})

// analyse runs the real engine on a fixture and makes the report
// deterministic: fixed AnalyzedAt, zero timings, no host path.
func analyse(t testing.TB, name string) *analysis.Report {
	t.Helper()
	eng, err := engineOnce()
	if err != nil {
		t.Fatalf("engine: %v", err)
	}
	data, err := os.ReadFile(filepath.Join("testdata", "scripts", name))
	if err != nil {
		t.Fatal(err)
	}
	r, err := eng.Analyze(context.Background(), analysis.Sample{Data: data, Name: name, Source: "quarantine", Signature: "Test.Script.Fixture"})
	if err != nil {
		t.Fatalf("analyse %s: %v", name, err)
	}
	r.AnalyzedAt = fixedTime
	r.Timings = analysis.Timings{}
	r.Sample.Path = ""
	return r
}

// storedReport reads a report kept under testdata/reports (regenerated from
// the engine with -update), so that goldens change only when the
// renderers change or someone refreshes the reports on purpose.
func storedReport(t testing.TB, name string) *analysis.Report {
	t.Helper()
	path := filepath.Join("testdata", "reports", name+".json")
	if *update {
		b, err := json.MarshalIndent(analyse(t, name), "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./integrations/formats -update)", err)
	}
	var r analysis.Report
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return &r
}

func TestGolden(t *testing.T) {
	for _, script := range scripts {
		r := storedReport(t, script)
		for _, f := range Names() {
			t.Run(script+"/"+f, func(t *testing.T) {
				got, err := Encode(f, r)
				if err != nil {
					t.Fatal(err)
				}
				var pretty bytes.Buffer
				if err := json.Indent(&pretty, got, "", "  "); err != nil {
					t.Fatalf("output is not JSON: %v", err)
				}
				pretty.WriteByte('\n')
				path := filepath.Join("testdata", "golden", script+"."+f+".json")
				if *update {
					if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
						t.Fatal(err)
					}
					if err := os.WriteFile(path, pretty.Bytes(), 0o644); err != nil {
						t.Fatal(err)
					}
				}
				want, err := os.ReadFile(path)
				if err != nil {
					t.Fatalf("%v (run with -update)", err)
				}
				if d := cmp.Diff(string(want), pretty.String()); d != "" {
					t.Errorf("%s differs from the golden file (-want +got; run with -update if intended):\n%s", path, d)
				}
				validate(t, f, got, r)
			})
		}
	}
}

// TestLiveEngineReports renders what the engine produces today (not the
// stored reports) and validates every format, so that a change in the
// engine's output that breaks a renderer shows up even before anyone
// refreshes the golden files.
func TestLiveEngineReports(t *testing.T) {
	for _, script := range scripts {
		r := analyse(t, script)
		for _, f := range Names() {
			t.Run(script+"/"+f, func(t *testing.T) {
				got, err := Encode(f, r)
				if err != nil {
					t.Fatal(err)
				}
				validate(t, f, got, r)
			})
		}
	}
}

func TestExpectations(t *testing.T) {
	ps := storedReport(t, "cradle.ps1")
	js := storedReport(t, "greet.js")
	t.Run("ocsf severity follows the verdict", func(t *testing.T) {
		if got := OCSF(ps).SeverityID; got != 4 {
			t.Errorf("malicious: got severity_id %d, want 4", got)
		}
		if got := OCSF(js).SeverityID; got != 1 {
			t.Errorf("benign: got severity_id %d, want 1", got)
		}
	})
	t.Run("stix indicators only for detections", func(t *testing.T) {
		if n := countType(STIX(ps), "indicator"); n != 4 {
			t.Errorf("malicious cradle: got %d indicators, want 4 (2 URLs, 1 domain, 1 IP)", n)
		}
		if n := countType(STIX(js), "indicator"); n != 0 {
			t.Errorf("benign script: got %d indicators, want 0", n)
		}
	})
	t.Run("stix malware-analysis result", func(t *testing.T) {
		for _, tt := range []struct {
			r    *analysis.Report
			want string
		}{{ps, "malicious"}, {js, "benign"}} {
			for _, o := range STIX(tt.r).Objects {
				if ma, ok := o.(STIXMalwareAnalysis); ok && ma.Result != tt.want {
					t.Errorf("%s: got result %q, want %q", tt.r.Sample.Name, ma.Result, tt.want)
				}
			}
		}
	})
	t.Run("misp to_ids only for detections", func(t *testing.T) {
		ids := 0
		for _, a := range MISP(ps).Event.Attribute {
			if a.ToIDS {
				ids++
			}
			if a.Type == "regkey" && a.ToIDS {
				t.Errorf("registry key flagged to_ids: %+v", a)
			}
		}
		if ids != 7 { // 3 sample hashes + 2 URLs + domain + IP
			t.Errorf("cradle: got %d to_ids attributes, want 7", ids)
		}
		for _, a := range MISP(js).Event.Attribute {
			if a.ToIDS {
				t.Errorf("benign script: attribute %s %q flagged to_ids", a.Type, a.Value)
			}
		}
	})
	t.Run("misp galaxy tags", func(t *testing.T) {
		var tags []string
		for _, tg := range MISP(ps).Event.Tag {
			tags = append(tags, tg.Name)
		}
		want := `misp-galaxy:mitre-attack-pattern="PowerShell - T1059.001"`
		if !strings.Contains(strings.Join(tags, "\n"), want) {
			t.Errorf("got tags %q, want one %s", tags, want)
		}
	})
	t.Run("human text is defanged", func(t *testing.T) {
		f := OCSF(ps)
		for _, s := range []string{f.Message, f.FindingInfo.Desc} {
			if strings.Contains(s, "http://") || strings.Contains(s, "198.51.100.7") {
				t.Errorf("got raw IOC in human text %q, want it defanged", s)
			}
		}
	})
}

func countType(b STIXBundle, typ string) int {
	n := 0
	for _, o := range b.Objects {
		if strings.HasPrefix(o.STIXID(), typ+"--") {
			n++
		}
	}
	return n
}

func TestECSDelegates(t *testing.T) {
	r := storedReport(t, "cradle.ps1")
	got, err := Encode("ECS", r)
	if err != nil {
		t.Fatal(err)
	}
	want, err := json.Marshal(sidecar.ECS(r))
	if err != nil {
		t.Fatal(err)
	}
	var g, w any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(want, &w); err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(w, g); d != "" {
		t.Errorf("ecs is not sidecar.ECS (-want +got):\n%s", d)
	}
}

func TestEncodeErrors(t *testing.T) {
	r := storedReport(t, "greet.js")
	if _, err := Encode("cef", r); !errors.Is(err, ErrUnknownFormat) {
		t.Errorf("unknown format: got %v, want ErrUnknownFormat", err)
	}
	if _, err := Encode("stix", nil); err == nil {
		t.Error("nil report: got no error, want one")
	}
}

func TestRegistry(t *testing.T) {
	seen := map[string]bool{}
	for _, f := range Formats() {
		if f.Name == "" || f.Name != strings.ToLower(f.Name) {
			t.Errorf("format %q: want a non-empty lower-case name", f.Name)
		}
		if seen[f.Name] {
			t.Errorf("format %q registered twice", f.Name)
		}
		seen[f.Name] = true
		if f.Description == "" || f.render == nil {
			t.Errorf("format %q: missing description or renderer", f.Name)
		}
	}
	if got, want := strings.Join(Names(), ","), "ecs,ocsf,stix,misp"; got != want {
		t.Errorf("got formats %s, want %s", got, want)
	}
}

func TestDeterministicAndDistinct(t *testing.T) {
	a, b := storedReport(t, "cradle.ps1"), storedReport(t, "implant.sh")
	for _, f := range Names() {
		x1, _ := Encode(f, a)
		x2, _ := Encode(f, a)
		if !bytes.Equal(x1, x2) {
			t.Errorf("%s: two encodings of one report differ", f)
		}
	}
	if OCSF(a).Metadata.UID == OCSF(b).Metadata.UID {
		t.Error("ocsf: two reports share metadata.uid")
	}
	if STIX(a).ID == STIX(b).ID || MISP(a).Event.UUID == MISP(b).Event.UUID {
		t.Error("stix/misp: two reports share an id")
	}
	// Shared objects keep one id and one version across bundles.
	if IdentityID != STIX(b).Objects[0].STIXID() {
		t.Error("identity id differs between bundles")
	}
}

// TestNonOKReports: skipped and error records still render valid documents.
func TestNonOKReports(t *testing.T) {
	for _, st := range []analysis.Status{analysis.StatusSkipped, analysis.StatusError} {
		r := &analysis.Report{SchemaVersion: analysis.SchemaVersion, ID: "0b5d6f0e-7a3c-5d1e-8f00-000000000001",
			Sample: analysis.SampleInfo{SHA256: strings.Repeat("ab", 32), SHA1: strings.Repeat("cd", 20), MD5: strings.Repeat("ef", 16),
				Size: 9 << 20, Name: "big\\n.vbs"},
			Status: st, Reason: "file over the size limit (downloaded from http://192.0.2.1/x)"}
		for _, f := range Names() {
			t.Run(string(st)+"/"+f, func(t *testing.T) {
				got, err := Encode(f, r)
				if err != nil {
					t.Fatal(err)
				}
				validate(t, f, got, r)
				if f != "ecs" && strings.Contains(string(got), "http://192.0.2.1") {
					t.Errorf("raw IOC in a %s document's human text: %s", f, got)
				}
			})
		}
	}
}

// TestHostileValues: quotes, backslashes and control characters in IOC
// values and names keep every document valid and every pattern exact.
func TestHostileValues(t *testing.T) {
	r := storedReport(t, "cradle.ps1")
	r.Sample.Name = `x'"\` + "\t<b>.ps1"
	r.IOCs = append(r.IOCs,
		analysisIOC("url", `http://a.example/p?q='1'\x\'`),
		analysisIOC("domain", `b.example`),
		analysisIOC("ipv6", `2001:db8::1`),
		analysisIOC("email", `o'neil@c.example`))
	for _, f := range Names() {
		got, err := Encode(f, r)
		if err != nil {
			t.Fatal(err)
		}
		validate(t, f, got, r)
	}
}

func BenchmarkEncode(b *testing.B) {
	r := storedReport(b, "cradle.ps1")
	for _, f := range Names() {
		b.Run(f, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Encode(f, r); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
