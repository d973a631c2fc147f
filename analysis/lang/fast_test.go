package lang

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// Tests of the small fast helpers against their plain definitions.

func naiveLowBytes(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] == 0x7F {
			n++
		}
	}
	return n
}

func checkLowBytes(t *testing.T, s string) {
	t.Helper()
	if g, w := countLowBytes(s), naiveLowBytes(s); g != w {
		t.Fatalf("countLowBytes(%.40q) = %d, want %d", s, g, w)
	}
	if c := countControls(s); c > countLowBytes(s) {
		t.Fatalf("countControls(%.40q) = %d exceeds its bound", s, c)
	}
}

func TestCountLowBytes(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, n := range []int{0, 1, 7, 8, 9, 63, 64, 2039, 2040, 2041, 2048, 4100, 70000} {
		for _, alphabet := range []string{"\x00\x1f\x20\x7f\x80\xff\n\t", "\x00", "\x7f", "\x1f", "a\n", "\xe0\x9f"} {
			b := make([]byte, n)
			for i := range b {
				b[i] = alphabet[rng.IntN(len(alphabet))]
			}
			checkLowBytes(t, string(b))
		}
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(rng.IntN(256))
		}
		checkLowBytes(t, string(b))
	}
}

func FuzzCountLowBytes(f *testing.F) {
	f.Add("\x00\x01 abc\x7f\x80\x9f\xa0\xff\n\r\t")
	f.Add(strings.Repeat("\x1f", 3000))
	f.Fuzz(checkLowBytes)
}

// The markers of notScript are matched in ASCII case folding in place of
// a strings.ToLower copy.
func checkLowerASCII(t *testing.T, s string) {
	t.Helper()
	lower := strings.ToLower(s)
	for _, m := range []string{"<?php", "<!doctype html", "<html"} {
		if g, w := indexLowerASCII(s, m) >= 0, strings.Contains(lower, m); g != w {
			t.Fatalf("indexLowerASCII(%.60q, %q) >= 0 is %v, want %v", s, m, g, w)
		}
		if g, w := hasPrefixLowerASCII(s, m), strings.HasPrefix(lower, m); g != w {
			t.Fatalf("hasPrefixLowerASCII(%.60q, %q) = %v, want %v", s, m, g, w)
		}
	}
}

func TestLowerASCII(t *testing.T) {
	for _, s := range []string{"", "<", "<?PhP", "x<?php", "<!DOCTYPE HTML>", "<HtMl>", "\u212a<html", "<h\u0130ml",
		"<?p\xffhp", "\xff<?php", "<!doctype\u00a0html", "\u0130<HTML"} {
		checkLowerASCII(t, s)
	}
}

func FuzzLowerASCII(f *testing.F) {
	f.Add("<!DOCTYPE html><?PHP")
	f.Fuzz(checkLowerASCII)
}

func TestHashWord(t *testing.T) {
	for _, w := range []string{"", "a", "Get-ChildItem", "$Env", "ABC_09", "x-Y"} {
		h, hc := hashWord(w)
		if h != hashStr(kWord, w, true) || hc != hashStr(kWordCase, w, false) {
			t.Fatalf("hashWord(%q) = %#x, %#x, want %#x, %#x", w, h, hc, hashStr(kWord, w, true), hashStr(kWordCase, w, false))
		}
	}
}
