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
	for _, n := range []int{0, 1, 7, 8, 9, 15, 16, 17, 63, 64, 2031, 2032, 2033, 2039, 2040, 2041, 2048, 4100, 70000} {
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

func checkRare(t *testing.T, s, sub string) {
	t.Helper()
	if g, w := indexRare(s, sub), strings.Index(s, sub); g != w {
		t.Fatalf("indexRare(%.60q, %q) = %d, want %d", s, sub, g, w)
	}
	if g, w := countRare(s, sub), strings.Count(s, sub); g != w {
		t.Fatalf("countRare(%.60q, %q) = %d, want %d", s, sub, g, w)
	}
}

func TestRare(t *testing.T) {
	subs := []string{"", "a", "aa", "aaa", "aba", "-Force", "public ", "sudo ", "\xff\x00", "~/", "abab"}
	texts := []string{"", "a", "aaaa", "aaaaa", "ababababa", "x-Force -Forc -Force-Force", "public public class", "pseudo sudo  sudo",
		"\xff\x00\xff\x00\xff", "~/~/~", "abababab"}
	for _, s := range texts {
		for _, sub := range subs {
			checkRare(t, s, sub)
			for cut := range len(s) {
				checkRare(t, s[cut:], sub)
				checkRare(t, s[:cut], sub)
			}
		}
	}
	rng := rand.New(rand.NewPCG(5, 6))
	for range 2000 {
		b := make([]byte, rng.IntN(60))
		for i := range b {
			b[i] = "ab-e "[rng.IntN(5)]
		}
		sub := make([]byte, 1+rng.IntN(4))
		for i := range sub {
			sub[i] = "ab-e "[rng.IntN(5)]
		}
		checkRare(t, string(b), string(sub))
	}
}

func FuzzRare(f *testing.F) {
	f.Add("x-Force -Forc -Force-Force", "-Force")
	f.Add("aaaaa", "aa")
	f.Fuzz(checkRare)
}

func checkFold(t *testing.T, s string) {
	t.Helper()
	if g, w := containsFold(s, "errorlevel"), refContainsFold(s, "errorlevel"); g != w {
		t.Fatalf("containsFold(%.60q, errorlevel) = %v, want %v", s, g, w)
	}
	if g, w := indexFold(s, "errorlevel"), strings.Index(asciiLower(s), "errorlevel"); g != w {
		t.Fatalf("indexFold(%.60q, errorlevel) = %d, want %d", s, g, w)
	}
	want := 0
	for line := range strings.SplitSeq(s, "\n") {
		if refContainsFold(line, "errorlevel") {
			want++
		}
	}
	if g := linesWithFold(s, "errorlevel"); g != want {
		t.Fatalf("linesWithFold(%.60q, errorlevel) = %d, want %d", s, g, want)
	}
	for _, sub := range []string{"@echo", "rem ", "set /", "start \"", "> nul", ">nul", "call :", "goto ", "setlocal"} {
		if g, w := hasPrefixFold(s, sub), refHasPrefixFold(s, sub); g != w {
			t.Fatalf("hasPrefixFold(%.60q, %q) = %v, want %v", s, sub, g, w)
		}
	}
}

// asciiLower maps the ASCII capitals of s to small letters, byte by byte.
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

func TestFold(t *testing.T) {
	for _, s := range []string{"", "ERRORLEVEL", "if errorLevel 1", "xerrorleve", "\u017fet /a", "\u212a", "@ECHO off",
		"SET /A", "errorlev\u212al", "\xffERRORLEVEL\xff", "Start \"\" x", ">NUL", "> Nul 2>&1",
		"errorlevel ERRORLEVEL\nx\nErrorLevel\n\nerrorlevel", "ERRORlevel errorlevel", "errorLEVELerrorlevel\n"} {
		checkFold(t, s)
		for cut := range len(s) {
			checkFold(t, s[cut:])
			checkFold(t, s[:cut])
		}
	}
}

func FuzzFold(f *testing.F) {
	f.Add("if ERRORLEVEL 1 goto x")
	f.Add("\u017fetlocal")
	f.Fuzz(checkFold)
}
