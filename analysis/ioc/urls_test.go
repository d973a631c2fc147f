package ioc

import (
	"strings"
	"testing"
)

// TestNoURLsShortcut puts "://" and "//" where refangURLs' shortcut looks
// (the first five bytes, offset 4 on) and checks the scan against the
// reference, which always searches for "://".
func TestNoURLsShortcut(t *testing.T) {
	var cases []string
	for pad := range 8 {
		p := strings.Repeat("x", pad)
		cases = append(cases,
			p+"://a.example", p+"http://a.example/x", p+"//a.example", p+":/", p+":",
			p+"http://a.example hxxp://b[.]example", p+"https://a.example/"+p+"//")
	}
	for _, c := range cases {
		checkSameScan(t, c)
		_, _, urls := refangURLs(c)
		if !urls && strings.Contains(Refang(c), "://") {
			t.Errorf("refangURLs(%q) reports no URLs", c)
		}
	}
}
