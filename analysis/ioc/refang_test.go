package ioc

import (
	"os"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestRefang(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"hxxp", "hxxp://evil[.]example/a", "http://evil.example/a"},
		{"hxxps upper case", "HXXPS://evil[.]example", "HTTPS://evil.example"},
		{"mixed case kept", "Hxxp://a[.]example", "Http://a.example"},
		{"hxtp", "hxtp://a[.]example", "http://a.example"},
		{"bracketed colon", "hxxp[:]//a[.]example", "http://a.example"},
		{"bracketed separator", "hxxps[://]a[.]example", "https://a.example"},
		{"fxp and parens", "fxp://files(.)example", "ftp://files.example"},
		{"braces", "evil{.}example", "evil.example"},
		{"dot words", "evil[dot]example evil(DOT)example", "evil.example evil.example"},
		{"spaced dot word", "evil [dot] example", "evil.example"},
		{"at forms", "a[@]x[.]example b[at]x[.]example c (at) x [dot] example", "a@x.example b@x.example c@x.example"},
		{"ipv6", "2001[:]db8[:][:]1", "2001:db8::1"},
		{"slash", "evil[.]example[/]x", "evil.example/x"},
		{"ipv4 partial", "192.0.2[.]1", "192.0.2.1"},

		{"regex class kept", `re.sub(r"\d+[.]\d+", "", s); r"(.)\1"`, `re.sub(r"\d+[.]\d+", "", s); r"(.)\1"`},
		{"scheme words without separator kept", "fxpro.example hxxpfoo", "fxpro.example hxxpfoo"},
		{"index by variable kept", "arr[at] = 1; x(dot)", "arr[at] = 1; x(dot)"},
		{"empty", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Refang(tc.in); got != tc.want {
				t.Errorf("Refang(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestDefang(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"url", "get http://evil.example/a now", "get hxxp://evil[.]example/a now"},
		{"https and ftp", "https://a.example ftp://198.51.100.1/x", "hxxps://a[.]example fxp://198[.]51[.]100[.]1/x"},
		{"email", "mail bob@evil.example", "mail bob[@]evil[.]example"},
		{"ips", "ip 192.0.2.1 and 2001:db8::1", "ip 192[.]0[.]2[.]1 and 2001[:]db8[:][:]1"},
		{"bare domain", `"c2.evil.example"`, `"c2[.]evil[.]example"`},
		{"unc host", `\\evil.example\share\x`, `\\evil[.]example\share\x`},
		{"websocket keeps scheme", "wss://evil.example/ws", "wss://evil[.]example/ws"},
		{"already defanged", "hxxp://evil[.]example/a and bob[@]x[.]example", "hxxp://evil[.]example/a and bob[@]x[.]example"},
		{"partly defanged", "hxxp://evil.example/a", "hxxp://evil[.]example/a"},
		{"code untouched", "[System.Net.WebClient]; obj.Run; C:\\x\\update.com; /tmp/a.example/x", "[System.Net.WebClient]; obj.Run; C:\\x\\update.com; /tmp/a.example/x"},
		{"empty", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := Defang(tc.in)
			if got != tc.want {
				t.Errorf("Defang(%q) = %q, want %q", tc.in, got, tc.want)
			}
			if again := Defang(got); again != got {
				t.Errorf("Defang is not idempotent: Defang(%q) = %q", got, again)
			}
		})
	}
}

// TestDefangRoundTrip checks on a realistic script that defanging loses
// nothing: refanging gives the text back and extraction finds the same IOCs.
func TestDefangRoundTrip(t *testing.T) {
	b, err := os.ReadFile("testdata/script.txt")
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	if Refang(s) != s {
		t.Fatal("testdata/script.txt holds defanged forms; the round trip needs raw text")
	}
	d := Defang(s)
	if d == s {
		t.Fatal("Defang changed nothing in testdata/script.txt")
	}
	if got := Refang(d); got != s {
		t.Errorf("Refang(Defang(s)) differs from s:\n%s", cmp.Diff(s, got))
	}
	raw, fanged := pairs(Extract(s, 0)), pairs(Extract(d, 0))
	if len(raw) < 20 {
		t.Errorf("got %d IOCs from testdata/script.txt, want at least 20", len(raw))
	}
	if diff := cmp.Diff(raw, fanged, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("Extract(Defang(s)) differs from Extract(s) (-raw +defanged):\n%s", diff)
	}
	for _, c := range Extract(s, 0) {
		if Refang(c.Defanged) != c.Value {
			t.Errorf("IOC %s: Refang(%q) = %q, want %q", c.Type, c.Defanged, Refang(c.Defanged), c.Value)
		}
	}
}

func TestPosMap(t *testing.T) {
	text := "a hxxp[:]//b[.]example c"
	r, pm := refang(text)
	if r != "a http://b.example c" {
		t.Fatalf("refang: got %q", r)
	}
	for _, tc := range []struct{ r, start, end int }{
		{0, 0, 0},
		{2, 2, 2},    // 'h' of the rewritten scheme
		{6, 6, 6},    // ':' came from "[:]" at 6
		{7, 9, 9},    // first '/' after "[:]"
		{10, 12, 12}, // '.' came from "[.]" at 12
		{11, 15, 15}, // 'e' after "[.]"
	} {
		if got := pm.start(tc.r); got != tc.start {
			t.Errorf("start(%d) = %d, want %d", tc.r, got, tc.start)
		}
	}
	if got := pm.end(11); got != 15 {
		t.Errorf("end(11) = %d, want 15 (just past \"[.]\")", got)
	}
	if got := pm.end(7); got != 9 {
		t.Errorf("end(7) = %d, want 9 (just past \"[:]\")", got)
	}
	if got := pm.end(len(r)); got != len(text) {
		t.Errorf("end(len) = %d, want %d", got, len(text))
	}
}
