package ioc

import (
	"os"
	"strings"
	"testing"
)

func fuzzSeeds(f *testing.F) {
	f.Helper()
	b, err := os.ReadFile("testdata/script.txt")
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range []string{
		string(b),
		"hxxp://evil[.]example/a[[.]]b",
		"http://[2001:db8::1]:80/ http://user@[@192.0.2.1:1/",
		`\\\\srv\\share \\.\pipe\x \\?\C:\x %~dp0 %A%\ $env:X\ ${env:Y}\`,
		"HKLM\\ HKCU:\\x Registry::HKEY_USERS\\y \"HKLM\\a b",
		"a[.]b[dot]c (at) d [at] e {.} f[:]g[://]h[/]",
		"192.0.2.1.2 1.2.3.4-5.6.7.8 ::ffff:1.2.3.4 fe80::1%eth0",
		"user@x.example@y.example ..@a.example a@.example",
		strings.Repeat("a.", 200) + "example",
		"\xff\xfeh\x00t\x00t\x00p\x00:\x00/\x00/\x00",
	} {
		f.Add(s)
	}
}

// FuzzExtract checks that Extract never panics and that every IOC is
// canonical, refanged, in range and unique.
func FuzzExtract(f *testing.F) {
	fuzzSeeds(f)
	f.Fuzz(func(t *testing.T, text string) {
		got := Extract(text, 2)
		checkInvariants(t, text, 2, got)
		if m := Merge(got, got); len(m) != len(got) {
			t.Errorf("Merge of a set with itself: got %d IOCs, want %d", len(m), len(got))
		}
	})
}

// FuzzDefang checks that Defang never panics, is idempotent, and that for
// text holding no defanged forms Refang(Defang(s)) == s.
func FuzzDefang(f *testing.F) {
	fuzzSeeds(f)
	f.Fuzz(func(t *testing.T, text string) {
		d := Defang(text)
		if Refang(text) == text {
			if got := Refang(d); got != text {
				t.Errorf("Refang(Defang(%q)) = %q, want the input back (Defang gave %q)", text, got, d)
			}
		}
		if again := Defang(d); again != d {
			t.Errorf("Defang not idempotent on %q: %q then %q", text, d, again)
		}
	})
}
