package ui_test

import (
	"context"
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/automaldesc/automaldesc/sidecar/ui"
	"github.com/automaldesc/automaldesc/store"
)

func TestSecurityHeaders(t *testing.T) {
	f := newFixture(t)
	srv := newServer(t, f.st, "")
	c := newClient(t, srv)
	tests := []struct {
		name, path string
		status     int
	}{
		{"list", "/ui/", http.StatusOK},
		{"record", "/ui/records/" + f.cradle.ID, http.StatusOK},
		{"hostile record", "/ui/records/" + f.hostile.ID, http.StatusOK},
		{"missing record", "/ui/records/nope", http.StatusNotFound},
		{"bad id", "/ui/records/a%3Cb", http.StatusBadRequest},
		{"unknown page", "/ui/nothing-here", http.StatusNotFound},
		{"login", "/ui/login", http.StatusSeeOther}, // no token: straight back to the list
		{"script", "/ui/static/ui.js", http.StatusOK},
		{"style", "/ui/static/ui.css", http.StatusOK},
		{"traversal", "/ui/static/..%2Fui.go", http.StatusNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := c.get(tt.path)
			if r.status != tt.status {
				t.Fatalf("GET %s: got status %d, want %d", tt.path, r.status, tt.status)
			}
			for k, want := range map[string]string{
				"Content-Security-Policy": ui.CSP,
				"X-Content-Type-Options":  "nosniff",
				"Referrer-Policy":         "no-referrer",
				"X-Frame-Options":         "DENY",
			} {
				if got := r.header.Get(k); got != want {
					t.Errorf("GET %s: %s got %q, want %q", tt.path, k, got, want)
				}
			}
		})
	}
	for _, part := range []string{"default-src 'none'", "script-src 'self'", "style-src 'self'", "img-src 'self'",
		"form-action 'self'", "frame-ancestors 'none'", "base-uri 'none'"} {
		if !strings.Contains(ui.CSP, part) {
			t.Errorf("CSP %q lacks %q", ui.CSP, part)
		}
	}
	t.Run("content types", func(t *testing.T) {
		for path, want := range map[string]string{"/ui/": "text/html; charset=utf-8", "/ui/static/ui.js": "text/javascript; charset=utf-8",
			"/ui/static/ui.css": "text/css; charset=utf-8"} {
			if got := c.get(path).header.Get("Content-Type"); got != want {
				t.Errorf("GET %s: Content-Type got %q, want %q", path, got, want)
			}
		}
	})
	t.Run("root redirects to the UI", func(t *testing.T) {
		r := c.get("/")
		if r.status != http.StatusFound || r.header.Get("Location") != "/ui/" {
			t.Errorf("GET /: got %d to %q, want 302 to /ui/", r.status, r.header.Get("Location"))
		}
	})
}

// inlineRE finds what the CSP would block and what must never be in a page:
// inline scripts, style attributes, event-handler attributes, javascript:
// URLs in attributes.
var (
	scriptTagRE = regexp.MustCompile(`(?i)<script\b[^>]*>`)
	styleAttrRE = regexp.MustCompile(`(?i)<[a-z][^>]*\sstyle\s*=`)
	onAttrRE    = regexp.MustCompile(`(?i)<[a-z][^>]*\son[a-z]+\s*=`)
	jsURLAttrRE = regexp.MustCompile(`(?i)(href|src|action)\s*=\s*"\s*javascript:`)
	styleTagRE  = regexp.MustCompile(`(?i)<style\b`)
)

func TestEscaping(t *testing.T) {
	f := newFixture(t)
	srv := newServer(t, f.st, "")
	c := newClient(t, srv)
	for _, path := range []string{"/ui/records/" + f.hostile.ID, "/ui/?q=invoice", "/ui/records/" + f.cradle.ID} {
		t.Run(path, func(t *testing.T) {
			r := c.get(path)
			if r.status != http.StatusOK {
				t.Fatalf("got status %d, want 200", r.status)
			}
			tags := scriptTagRE.FindAllString(r.body, -1)
			if len(tags) != 1 || tags[0] != `<script src="/ui/static/ui.js" defer>` {
				t.Errorf("script tags: got %q, want only the ui.js include", tags)
			}
			for name, re := range map[string]*regexp.Regexp{"style attribute": styleAttrRE, "event handler": onAttrRE,
				"javascript: URL": jsURLAttrRE, "style element": styleTagRE} {
				if m := re.FindString(r.body); m != "" {
					t.Errorf("page has a %s: %q", name, m)
				}
			}
			if strings.Contains(r.body, "<img") {
				t.Errorf("page has an <img> element")
			}
		})
	}
	r := c.get("/ui/records/" + f.hostile.ID)
	for _, want := range []string{
		"&lt;script&gt;alert(1)&lt;/script&gt;",     // name, summary, excerpts
		"&lt;img src=x onerror=alert(1)&gt;",        // name, summary, claims
		"javascript:alert(1)",                       // as text, never an attribute
		"&lt;script&gt;window.__pwned=3&lt;/script", // a decoded layer
	} {
		if !strings.Contains(r.body, want) {
			t.Errorf("hostile record page lacks the escaped text %q", want)
		}
	}
	if strings.Contains(r.body, "https://attack.mitre.org/techniques/javascript") {
		t.Errorf("a malformed technique id became a link")
	}
	if !strings.Contains(r.body, `href="https://attack.mitre.org/techniques/T1059/007/"`) {
		t.Errorf("the JavaScript technique T1059.007 is not linked to its ATT&CK page")
	}
	// IOCs only defanged; script text stays as it is, but never as a link.
	iocs := regexp.MustCompile(`<code class="ioc">([^<]*)</code>`).FindAllStringSubmatch(r.body, -1)
	if len(iocs) == 0 || !strings.Contains(r.body, `<code class="ioc">hxxp://update[.]example[.]invalid/a.ps1</code>`) {
		t.Errorf("IOC table lacks the defanged URL")
	}
	for _, m := range iocs {
		if strings.Contains(m[1], "http") || strings.Contains(m[1], "update.example") {
			t.Errorf("IOC %q shown undefanged", m[1])
		}
	}
	if regexp.MustCompile(`href="[^"#/][^"]*(example|198\.51|203\.0)`).MatchString(r.body) {
		t.Errorf("an IOC became a link")
	}
	if !regexp.MustCompile(`<span class="sev sev-(low|medium|high|critical)">(low|medium|high|critical)</span>`).MatchString(r.body) {
		t.Errorf("indicator severities not shown")
	}
	if !strings.Contains(r.body, `data-copy="hxxp://update[.]example[.]invalid/a.ps1"`) {
		t.Errorf("copy button does not carry the defanged IOC")
	}
}

func TestLogin(t *testing.T) {
	const token = "s3cret-token-for-tests"
	f := newFixture(t)
	srv := newServer(t, f.st, token)
	c := newClient(t, srv)

	r := c.get("/ui/records/" + f.cradle.ID)
	if r.status != http.StatusSeeOther || !strings.HasPrefix(r.header.Get("Location"), "/ui/login?next=") {
		t.Fatalf("unauthenticated GET: got %d to %q, want 303 to the login", r.status, r.header.Get("Location"))
	}
	if strings.Contains(r.body, f.cradle.SHA256) {
		t.Fatalf("unauthenticated GET leaked record data")
	}
	r = c.get(r.header.Get("Location"))
	if r.status != http.StatusOK || !strings.Contains(r.body, `name="token"`) {
		t.Fatalf("login form: got %d", r.status)
	}
	tok := csrf(t, r.body)
	anon := cookieValue(t, c, srv.URL)

	t.Run("api still wants the bearer token", func(t *testing.T) {
		if got := c.get("/v1/records").status; got != http.StatusUnauthorized {
			t.Errorf("GET /v1/records with only a UI cookie: got %d, want 401", got)
		}
	})
	t.Run("wrong token", func(t *testing.T) {
		r := c.post("/ui/login", url.Values{"csrf": {tok}, "token": {"wrong"}, "next": {"/ui/"}}, nil)
		if r.status != http.StatusUnauthorized || !strings.Contains(r.body, "Wrong token") {
			t.Errorf("got %d, want 401 with an error", r.status)
		}
	})
	t.Run("without CSRF token", func(t *testing.T) {
		r := c.post("/ui/login", url.Values{"token": {token}}, nil)
		if r.status != http.StatusForbidden {
			t.Errorf("got %d, want 403", r.status)
		}
	})
	next := "/ui/records/" + f.cradle.ID
	r = c.post("/ui/login", url.Values{"csrf": {tok}, "token": {token}, "next": {next}}, nil)
	if r.status != http.StatusSeeOther || r.header.Get("Location") != next {
		t.Fatalf("login: got %d to %q, want 303 to %s", r.status, r.header.Get("Location"), next)
	}
	set := r.header.Get("Set-Cookie")
	for _, want := range []string{ui.CookieName + "=", "HttpOnly", "SameSite=Strict", "Path=/ui/"} {
		if !strings.Contains(set, want) {
			t.Errorf("session cookie %q lacks %q", set, want)
		}
	}
	authed := cookieValue(t, c, srv.URL)
	if authed == anon {
		t.Errorf("login kept the session id (fixation)")
	}
	r = c.get(next)
	if r.status != http.StatusOK || !strings.Contains(r.body, f.cradle.SHA256) {
		t.Fatalf("after login: got %d, want the record page", r.status)
	}
	if !strings.Contains(r.body, "Log out") {
		t.Errorf("no logout button with a token configured")
	}

	t.Run("open redirect refused", func(t *testing.T) {
		c2 := newClient(t, srv)
		tok := csrf(t, c2.get("/ui/login").body)
		for _, bad := range []string{"//evil.example/", "https://evil.example/", "/ui/\\evil", "/ui//evil.example"} {
			r := c2.post("/ui/login", url.Values{"csrf": {tok}, "token": {token}, "next": {bad}}, nil)
			if r.status != http.StatusSeeOther || r.header.Get("Location") != "/ui/" {
				t.Errorf("next=%q: got %d to %q, want 303 to /ui/", bad, r.status, r.header.Get("Location"))
			}
			tok = csrf(t, c2.get("/ui/").body)
			c2.post("/ui/logout", url.Values{"csrf": {tok}}, nil)
			tok = csrf(t, c2.get("/ui/login").body)
		}
	})

	t.Run("logout", func(t *testing.T) {
		tok := csrf(t, r.body)
		r := c.post("/ui/logout", url.Values{"csrf": {tok}}, nil)
		if r.status != http.StatusSeeOther {
			t.Fatalf("logout: got %d, want 303", r.status)
		}
		// The old cookie no longer works even if a client kept it.
		c3 := newClient(t, srv)
		u, _ := url.Parse(srv.URL + "/ui/")
		c3.c.Jar.SetCookies(u, []*http.Cookie{{Name: ui.CookieName, Value: authed, Path: "/ui/"}})
		if got := c3.get("/ui/").status; got != http.StatusSeeOther {
			t.Errorf("GET with the logged-out cookie: got %d, want 303 to login", got)
		}
	})
}

func cookieValue(t *testing.T, c *client, base string) string {
	t.Helper()
	u, _ := url.Parse(base + "/ui/")
	for _, ck := range c.c.Jar.Cookies(u) {
		if ck.Name == ui.CookieName {
			return ck.Value
		}
	}
	t.Fatalf("no session cookie")
	return ""
}

func TestCSRF(t *testing.T) {
	f := newFixture(t)
	srv := newServer(t, f.st, "")
	c := newClient(t, srv)
	page := c.get("/ui/records/" + f.cradle.ID)
	tok := csrf(t, page.body)
	path := "/ui/records/" + f.cradle.ID + "/feedback"
	good := func() url.Values {
		return url.Values{"csrf": {tok}, "disposition": {"benign"}, "rating": {"3"}}
	}
	without := good()
	without.Del("csrf")
	wrong := good()
	wrong.Set("csrf", tok[:len(tok)-1]+"x")
	tests := []struct {
		name   string
		c      *client
		form   url.Values
		hdr    map[string]string
		status int
	}{
		{"no token", c, without, nil, http.StatusForbidden},
		{"wrong token", c, wrong, nil, http.StatusForbidden},
		{"token of another session", newClient(t, srv), good(), nil, http.StatusForbidden},
		{"cross-site fetch metadata", c, good(), map[string]string{"Sec-Fetch-Site": "cross-site"}, http.StatusForbidden},
		{"same-site but other origin", c, good(), map[string]string{"Sec-Fetch-Site": "same-site"}, http.StatusForbidden},
		{"foreign Origin", c, good(), map[string]string{"Origin": "http://evil.example"}, http.StatusForbidden},
		{"null Origin", c, good(), map[string]string{"Origin": "null"}, http.StatusForbidden},
		{"null Origin cross-site", c, good(), map[string]string{"Origin": "null", "Sec-Fetch-Site": "cross-site"}, http.StatusForbidden},
		{"foreign Origin claimed same-origin", c, good(), map[string]string{"Origin": "http://evil.example", "Sec-Fetch-Site": "same-origin"}, http.StatusForbidden},
		{"null Origin same-origin (no-referrer form post)", c, good(), map[string]string{"Origin": "null", "Sec-Fetch-Site": "same-origin"}, http.StatusSeeOther},
		{"header token", c, url.Values{"disposition": {"benign"}}, map[string]string{"X-CSRF-Token": tok}, http.StatusSeeOther},
		{"good", c, good(), map[string]string{"Origin": srv.URL, "Sec-Fetch-Site": "same-origin"}, http.StatusSeeOther},
	}
	stored := 0
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := tt.c.post(path, tt.form, tt.hdr)
			if r.status != tt.status {
				t.Fatalf("got status %d, want %d", r.status, tt.status)
			}
			if r.status == http.StatusSeeOther {
				stored++
			}
			fbs, err := f.st.ListFeedback(context.Background(), f.cradle.ID, "")
			if err != nil {
				t.Fatal(err)
			}
			if len(fbs) != stored {
				t.Errorf("stored feedback: got %d entries, want %d", len(fbs), stored)
			}
		})
	}
}

func TestFeedback(t *testing.T) {
	f := newFixture(t)
	srv := newServer(t, f.st, "")
	c := newClient(t, srv)
	page := c.get("/ui/records/" + f.cradle.ID)
	if !strings.Contains(page.body, "no analyst feedback yet") {
		t.Fatalf("fresh record shows a disposition")
	}
	tok := csrf(t, page.body)
	path := "/ui/records/" + f.cradle.ID + "/feedback"

	t.Run("invalid", func(t *testing.T) {
		for name, form := range map[string]url.Values{
			"disposition": {"csrf": {tok}, "disposition": {"pwned"}},
			"rating":      {"csrf": {tok}, "disposition": {"benign"}, "rating": {"9"}},
			"category":    {"csrf": {tok}, "disposition": {"benign"}, "category": {strings.Repeat("x", 300)}},
		} {
			r := c.post(path, form, nil)
			if r.status != http.StatusBadRequest || !strings.Contains(r.body, `id="form-error"`) {
				t.Errorf("%s: got %d, want 400 with the form error", name, r.status)
			}
		}
		if fbs, _ := f.st.ListFeedback(context.Background(), f.cradle.ID, ""); len(fbs) != 0 {
			t.Errorf("invalid feedback stored: %+v", fbs)
		}
	})

	var rep struct{ Summary string }
	gen := extractSummary(t, page.body)
	rep.Summary = gen
	steps := []struct {
		name                       string
		form                       url.Values
		wantDisp, wantSum, wantCat string
		wantRating                 int
	}{
		{"confirm with untouched summary", url.Values{"disposition": {"confirm"}, "summary": {rep.Summary}, "rating": {"4"}},
			"confirmed malicious", "", "", 4},
		{"malicious with category and edited summary", url.Values{"disposition": {"malicious"}, "category": {"downloader"},
			"summary": {"Downloads <b>stage two</b> from 198.51.100.23 and runs it."}, "rating": {"2"}, "analyst": {"ana"}},
			"analyst: malicious", "Downloads <b>stage two</b> from 198.51.100.23 and runs it.", "downloader", 2},
		{"benign", url.Values{"disposition": {"benign"}}, "analyst: benign", "", "", 0},
	}
	for i, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			st.form.Set("csrf", tok)
			r := c.post(path, st.form, nil)
			if r.status != http.StatusSeeOther || r.header.Get("Location") != "/ui/records/"+f.cradle.ID+"?saved=1#feedback" {
				t.Fatalf("got %d to %q, want 303 back to the record", r.status, r.header.Get("Location"))
			}
			fbs, err := f.st.ListFeedback(context.Background(), f.cradle.ID, "")
			if err != nil || len(fbs) != i+1 {
				t.Fatalf("stored: got %d entries (%v), want %d", len(fbs), err, i+1)
			}
			got := fbs[len(fbs)-1]
			if got.Disposition != st.form.Get("disposition") || got.Summary != st.wantSum || got.Category != st.wantCat ||
				got.Rating != st.wantRating || got.SHA256 != f.cradle.SHA256 {
				t.Errorf("stored %+v, want disposition %s, summary %q, category %q, rating %d", got, st.form.Get("disposition"),
					st.wantSum, st.wantCat, st.wantRating)
			}
			page := c.get("/ui/records/" + f.cradle.ID + "?saved=1")
			if !strings.Contains(page.body, `id="disposition">`+st.wantDisp+`<`) {
				t.Errorf("record page does not show the disposition %q", st.wantDisp)
			}
			if !strings.Contains(page.body, "Feedback saved.") {
				t.Errorf("record page does not confirm the save")
			}
			if n := strings.Count(page.body, `<div class="meta">`); n != i+1 {
				t.Errorf("history: got %d entries, want %d", n, i+1)
			}
			list := c.get("/ui/?q=" + f.cradle.SHA256)
			if !strings.Contains(list.body, st.wantDisp) {
				t.Errorf("list does not show the disposition %q", st.wantDisp)
			}
		})
	}
	page = c.get("/ui/records/" + f.cradle.ID)
	if !strings.Contains(page.body, "Downloads &lt;b&gt;stage two&lt;/b&gt;") {
		t.Errorf("edited summary not shown escaped in the history")
	}
	if !strings.Contains(page.body, `value="ana"`) {
		t.Errorf("analyst name not remembered for the session")
	}
}

var summaryRE = regexp.MustCompile(`(?s)<textarea name="summary"[^>]*>(.*?)</textarea>`)

func extractSummary(t *testing.T, body string) string {
	t.Helper()
	m := summaryRE.FindStringSubmatch(body)
	if m == nil {
		t.Fatal("no summary field")
	}
	return htmlUnescape(m[1])
}

func htmlUnescape(s string) string { return html.UnescapeString(s) }

var rowRE = regexp.MustCompile(`<tr data-seq="(\d+)">`)

func listSeqs(t *testing.T, body string) []int64 {
	t.Helper()
	var out []int64
	for _, m := range rowRE.FindAllStringSubmatch(body, -1) {
		n, _ := strconv.ParseInt(m[1], 10, 64)
		out = append(out, n)
	}
	return out
}

func TestListFilters(t *testing.T) {
	f := newFixture(t)
	srv := newServer(t, f.st, "")
	c := newClient(t, srv)
	seq := func(ids ...string) []int64 {
		var out []int64
		for i := len(f.all) - 1; i >= 0; i-- {
			if slices.Contains(ids, f.all[i].ID) {
				out = append(out, f.all[i].Seq)
			}
		}
		return out
	}
	tests := []struct {
		name, query string
		want        []int64
	}{
		{"all newest first", "", seq("hand-0", "hand-1", "hand-2", "hand-3", "hand-4", f.cradle.ID, f.hostile.ID)},
		{"label malicious", "label=malicious", seq(f.cradle.ID, f.hostile.ID)},
		{"label benign", "label=benign", seq("hand-0", "hand-1", "hand-4")},
		{"language", "language=powershell", seq(f.cradle.ID)},
		{"status", "status=skipped", seq("hand-3")},
		{"source", "source=clamav", seq("hand-2", "hand-3")},
		{"search sha256", "q=" + f.cradle.SHA256[:20], seq(f.cradle.ID)},
		{"search name", "q=QUARTERLY", seq(f.cradle.ID)},
		{"search IOC", "q=update.example.invalid", seq(f.hostile.ID)},
		{"search hand IOC", "q=hand2.example", seq("hand-2")},
		{"range 24h", "range=24h", seq("hand-3", "hand-4", f.cradle.ID, f.hostile.ID)},
		{"range 7d and label", "range=7d&label=suspicious", seq("hand-2")},
		{"from date", "from=" + f.all[1].CreatedAt.AddDate(0, 0, 1).Format("2006-01-02"), seq("hand-2", "hand-3", "hand-4", f.cradle.ID, f.hostile.ID)},
		{"to date", "to=" + f.all[1].CreatedAt.Format("2006-01-02"), seq("hand-0", "hand-1")},
		{"nothing", "q=no-such-thing", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := c.get("/ui/?" + tt.query)
			if r.status != http.StatusOK {
				t.Fatalf("got status %d, want 200", r.status)
			}
			if got := listSeqs(t, r.body); !slices.Equal(got, tt.want) {
				t.Errorf("got seqs %v, want %v", got, tt.want)
			}
		})
	}
	bad := []struct{ name, query string }{
		{"label", "label=" + url.QueryEscape("<script>alert(1)</script>")},
		{"language", "language=cobol"},
		{"status", "status=done"},
		{"range", "range=1y"},
		{"from", "from=yesterday"},
		{"search too long", "q=" + strings.Repeat("a", 300)},
		{"paging", "before=-1"},
		{"page size", "n=100000"},
	}
	for _, tt := range bad {
		t.Run("bad "+tt.name, func(t *testing.T) {
			r := c.get("/ui/?" + tt.query)
			if r.status != http.StatusBadRequest || !strings.Contains(r.body, `class="error"`) {
				t.Errorf("got status %d, want 400 with an error", r.status)
			}
			if strings.Contains(r.body, "<script>alert(1)</script>") {
				t.Errorf("rejected value reflected raw")
			}
		})
	}
}

func TestListPaging(t *testing.T) {
	f := newFixture(t)
	srv := newServer(t, f.st, "")
	c := newClient(t, srv)
	var all []int64 // newest first
	for i := len(f.all) - 1; i >= 0; i-- {
		all = append(all, f.all[i].Seq)
	}
	hrefRE := func(id string) *regexp.Regexp { return regexp.MustCompile(`href="([^"]*)" id="` + id + `"`) }
	link := func(body, id string) string {
		m := hrefRE(id).FindStringSubmatch(body)
		if m == nil {
			return ""
		}
		return htmlUnescape(m[1])
	}
	r := c.get("/ui/?n=3")
	if got := listSeqs(t, r.body); !slices.Equal(got, all[:3]) {
		t.Fatalf("page 1: got %v, want %v", got, all[:3])
	}
	if link(r.body, "page-newer") != "" {
		t.Errorf("page 1 has a newer link")
	}
	older := link(r.body, "page-older")
	if older == "" {
		t.Fatalf("page 1 has no older link")
	}
	r = c.get(older)
	if got := listSeqs(t, r.body); !slices.Equal(got, all[3:6]) {
		t.Fatalf("page 2: got %v, want %v", got, all[3:6])
	}
	r2 := c.get(link(r.body, "page-older"))
	if got := listSeqs(t, r2.body); !slices.Equal(got, all[6:]) {
		t.Fatalf("page 3: got %v, want %v", got, all[6:])
	}
	if link(r2.body, "page-older") != "" {
		t.Errorf("last page has an older link")
	}
	back := c.get(link(r2.body, "page-newer"))
	if got := listSeqs(t, back.body); !slices.Equal(got, all[3:6]) {
		t.Errorf("newer from page 3: got %v, want %v", got, all[3:6])
	}
	first := c.get(link(back.body, "page-newer"))
	if got := listSeqs(t, first.body); !slices.Equal(got, all[:3]) {
		t.Errorf("newer from page 2: got %v, want %v", got, all[:3])
	}
	if link(first.body, "page-newer") != "" {
		t.Errorf("newest page reached by 'newer' still has a newer link")
	}
	t.Run("filter kept across pages", func(t *testing.T) {
		r := c.get("/ui/?n=1&label=benign")
		older := link(r.body, "page-older")
		if !strings.Contains(older, "label=benign") {
			t.Fatalf("older link %q drops the filter", older)
		}
		if got := listSeqs(t, c.get(older).body); len(got) != 1 || got[0] != seqOf(f, "hand-1") {
			t.Errorf("page 2 of benign: got %v, want [%d]", got, seqOf(f, "hand-1"))
		}
	})
}

func seqOf(f *fixture, id string) int64 {
	for _, r := range f.all {
		if r.ID == id {
			return r.Seq
		}
	}
	return -1
}

// Undecodable report JSON still gives a page with the record's summary.
func TestBrokenReport(t *testing.T) {
	f := newFixture(t)
	_, err := f.st.PutRecord(context.Background(), store.Record{ID: "broken-1", SHA256: strings.Repeat("b", 64), Name: "x<y>.sh",
		Status: "ok", Label: "benign", Language: "bash", Report: []byte(`{"layers": "not an array"`)})
	if err != nil {
		t.Fatal(err)
	}
	c := newClient(t, newServer(t, f.st, ""))
	r := c.get("/ui/records/broken-1")
	if r.status != http.StatusOK || !strings.Contains(r.body, "cannot be decoded") || !strings.Contains(r.body, "x&lt;y&gt;.sh") {
		t.Errorf("got %d, want the record page with a decode note", r.status)
	}
}

// BenchmarkRecordPage renders the page of a real record (the hot path of
// triage: decode the report, build the view, execute the template).
func BenchmarkRecordPage(b *testing.B) {
	f := newFixture(b)
	h := ui.Handler(ui.Options{Store: f.st})
	req := httptest.NewRequest(http.MethodGet, "/ui/records/"+f.cradle.ID, nil)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	if w.Code != http.StatusOK {
		b.Fatalf("got %d", w.Code)
	}
	req.AddCookie(w.Result().Cookies()[0])
	b.ReportAllocs()
	for b.Loop() {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != http.StatusOK {
			b.Fatalf("got %d", w.Code)
		}
	}
}

// BenchmarkList renders the first page of the list (50 rows with their
// dispositions).
func BenchmarkList(b *testing.B) {
	f := newFixture(b)
	for i := range 60 {
		if _, err := f.st.PutRecord(context.Background(), store.Record{ID: "bench-" + strconv.Itoa(i), SHA256: strings.Repeat("c", 60) + strconv.Itoa(1000+i),
			Name: "b.ps1", Status: "ok", Label: "benign", Language: "powershell", Report: []byte(`{}`)}); err != nil {
			b.Fatal(err)
		}
	}
	h := ui.Handler(ui.Options{Store: f.st})
	req := httptest.NewRequest(http.MethodGet, "/ui/", nil)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	req.AddCookie(w.Result().Cookies()[0])
	b.ReportAllocs()
	for b.Loop() {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != http.StatusOK {
			b.Fatalf("got %d", w.Code)
		}
	}
}
