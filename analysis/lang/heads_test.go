package lang

import (
	"strings"
	"testing"
)

// extract counts the line heads of the text as it splits its lines; the
// counts must be those of countLineHeads, and bound those of the trimmed
// text that notScript inspects.
func checkHeads(t *testing.T, text string) {
	t.Helper()
	f := getFeatureSet(builtin.bits)
	defer f.put()
	extract(text, f)
	if len(text) > maxScan {
		text = text[:maxScan]
	}
	if want := countLineHeads(text); f.heads != want {
		t.Fatalf("extract(%.80q) heads = %+v, want %+v", text, f.heads, want)
	}
	trimmed := strings.TrimSpace(text)
	if h := countLineHeads(trimmed); h.end > f.heads.end || h.use > f.heads.use || h.my > f.heads.my {
		t.Fatalf("heads of %.80q = %+v, below %+v of the trimmed text", text, f.heads, h)
	}
	if trimmed != "" {
		if g, w := notScriptHeads(trimmed, f.heads), notScript(trimmed); g != w {
			t.Fatalf("notScriptHeads(%.80q) = %q, want %q", trimmed, g, w)
		}
	}
}

var headTexts = []string{
	"", "end", "end\n", "  end\n\tend\r\n", "\u00a0\nend\nend\ndef a\ndef b\n", "\u00a0end\n\u2003end\n",
	"my \u00a0", "x\nmy", "use \n use strict;\nmy $x;\n", "\x01end\n\x85end", "\v\fend\x00\nuse\tx\nmy ",
	"\u3000\n\u3000\n", "end \u00a0", strings.Repeat("tok ", 70) + "\nend\nend\n",
}

func TestExtractHeads(t *testing.T) { checkEveryCut(t, headTexts, checkHeads) }

func TestExtractHeadsDev(t *testing.T) {
	sweepDevTexts(t, func(_, text string) {
		checkHeads(t, text)
		checkHeads(t, text[len(text)/3:])
	})
}

func FuzzExtractHeads(f *testing.F) {
	for _, s := range headTexts {
		f.Add(s)
	}
	f.Fuzz(checkHeads)
}
