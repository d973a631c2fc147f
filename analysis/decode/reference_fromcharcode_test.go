package decode

import (
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/automaldesc/automaldesc/internal/corpus"
)

// refFromCharCode is the regexp findFromCharCodes replaced (as of
// 57f7c08), run on the ASCII-lower-cased text.
var refFromCharCode = regexp.MustCompile(`string\s*\.\s*fromcharcode\s*\(\s*((?:0x[0-9a-f]+|\d+)(?:\s*,\s*(?:0x[0-9a-f]+|\d+))*)\s*\)`)

func checkFromCharCodes(t *testing.T, text string) {
	t.Helper()
	got, want := findFromCharCodes(text), refFromCharCode.FindAllStringSubmatchIndex(asciiLower(text), -1)
	if len(got) == 0 && len(want) == 0 {
		return
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("findFromCharCodes(%q) = %v, want %v", trim(text), got, want)
	}
}

var fromCharCodeSeeds = []string{
	"String.fromCharCode(72,105)", "STRING . FROMCHARCODE ( 0x48 , 0X69 )", "string.fromcharcode(0x)", "string.fromcharcode(0xg)",
	"String.fromCharCode(1, 2, x)", "String.fromCharCode(1,2,)", "String.fromCharCode()", "xString.fromCharCode(7)",
	"String\n.\tfromCharCode\r(\f65\n)", "String.fromCharCode(65)String.fromCharCode(66)", "String..fromCharCode(1)",
	"ſtring.fromCharCode(1)", "String.fromCharCode(1\v)", ".fromCharCode(1)", "string fromCharCode(1)",
	"String.fromCharCode(0x41,0x4g)", "a=String.fromCharCode(104,101,108,108,111);b=string.FromCharCode(0X41 ,66)",
	"String.fromCharCode(1", "String.fromCharCode", "fromcharcode(1)", "String.fromCharCode(00x1)",
}

func TestFromCharCodesDifferential(t *testing.T) {
	for _, s := range fromCharCodeSeeds {
		checkFromCharCodes(t, s)
		for n := 0; n < len(s); n++ {
			checkFromCharCodes(t, s[n:])
			checkFromCharCodes(t, s[:n])
		}
	}
	checkFromCharCodes(t, strings.Repeat("x=String.fromCharCode(72, 0x69) + string .fromcharcode (", 300))
	corpus.Sweep(t, corpus.Dev, func(_, text string) { checkFromCharCodes(t, text) })
}

func FuzzFromCharCodes(f *testing.F) {
	for _, s := range fromCharCodeSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) { checkFromCharCodes(t, s) })
}
