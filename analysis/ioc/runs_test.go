package ioc

import (
	"strings"
	"testing"
)

// TestScanRunsHexProbes puts digests and near-digests at every offset
// from a 16-byte boundary, between words, dots and other runs, so that the
// hex probe words of scanRuns meet every alignment; the reference scanner
// of reference_test.go must find the same.
func TestScanRunsHexProbes(t *testing.T) {
	const md5 = "9e107d9d372bb6826bd81d3542a419d6"
	const sha1 = "da39a3ee5e6b4b0d3255bfef95601890afd80709"
	const sha256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
	tokens := []string{
		md5, sha1, sha256, md5[:31], md5 + "0", "x" + md5, md5 + "_x", "a-" + sha1, md5 + "." + md5,
		"evil.example/" + md5, strings.ToUpper(md5), md5[:16] + "g" + md5[17:],
		strings.Repeat("0123456789abcdef", 3), "deadbeefdeadbeef",
	}
	for _, tok := range tokens {
		for off := 0; off < 64; off++ {
			pad := strings.Repeat("z", off)
			for _, s := range []string{
				pad + " " + tok,
				pad + tok + " tail",
				pad + "." + tok + ".example",
				pad + "q.w " + tok + " e.r 192.0.2." + "1",
				pad + tok,
			} {
				checkSameScan(t, s)
			}
		}
	}
}

// TestIsTLD checks the filter in front of the TLD set: every entry passes
// it in any letter case, and isTLD agrees with the set on other words.
func TestIsTLD(t *testing.T) {
	for tld := range tlds {
		for _, s := range []string{tld, strings.ToUpper(tld), strings.ToUpper(tld[:1]) + tld[1:]} {
			if !isTLD(s) {
				t.Errorf("isTLD(%q) = false", s)
			}
		}
	}
	for _, s := range []string{"", "c", "-", "co-", "push", "Length", "exe", "ps1", "a1", "0x", "xn--", "comm", "\xffcom", "co\x00", "\u0441om"} {
		if got, want := isTLD(s), lookupFold(tlds, s); got != want {
			t.Errorf("isTLD(%q) = %v, want %v", s, got, want)
		}
	}
}
