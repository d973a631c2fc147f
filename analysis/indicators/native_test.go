package indicators

import (
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"

	"github.com/automaldesc/automaldesc/internal/race"
)

// TestNativeMatchersInUse fails when a native matcher's pattern is no
// longer a catalog pattern (it would silently stop being used).
func TestNativeMatchersInUse(t *testing.T) {
	used := map[string]bool{}
	for _, cr := range catalogConds(Default()) {
		if cr.m.native != nil {
			used[cr.re.String()] = true
		}
	}
	for src := range nativeMatchers {
		if !used[src] {
			t.Errorf("native matcher for %q: no catalog condition has that pattern", src)
		}
	}
}

// nativeTokens are, per native matcher, the pieces random test texts are
// made of: enough of them in a row to match, and near misses.
var nativeTokens = map[string][]string{
	`(?:["'][^"'\n]{1,4}["']\s*[+&]\s*){9,}["'][^"'\n]{1,4}["']`: {
		`'a'`, `"bc"`, `'abcd'`, `'abcde'`, `''`, `"é"`, "'\xff'", "'\xe2\x80'", `+`, `&`, ` `, "\n", "\t", `'`, `"`, `x`, `'a'+`, `"ab" & `,
	},
	`(?:^|[^\w$.])(?<at>eval)\s*\(\s*[\w$(\[]`: {
		`eval`, `eval(`, `eval (x)`, "eval\t(\n$", `(`, `[`, `$`, `.`, `_`, ` `, "\n", `x`, `e`, `val(`, `é`, "\xff", "\xe2\x80", `)`, `;`, "\f",
	},
	`(?:[\[\]()!+]{2,}){40,}`: {`[`, `]`, `(`, `)`, `!`, `+`, `[]`, `![]`, `+[]`, `(![]+[])`, ` `, `a`, "\n"},
	`(?:\\x[0-9a-f]{2}){24,}|(?:\\u[0-9a-f]{4}){16,}|(?:%u[0-9a-f]{4}){12,}|(?:%[0-9a-f]{2}){40,}`: {
		`\x41`, `\x4`, `\xg1`, `\u0041`, `\u004`, `%u0041`, `%u00`, `%41`, `%4`, `%`, `\`, `x`, `u`, `41`, `\x\x41`, ` `,
	},
}

func checkNative(t testing.TB, re *regexp.Regexp, fn func(string) int, w string) {
	t.Helper()
	// What (*matcher).first returns with the regexp alone: where the match
	// starts, or where its at group does when it has one that took part.
	want := -1
	if loc := re.FindStringSubmatchIndex(w); loc != nil {
		want = loc[0]
		if at := re.SubexpIndex("at"); at >= 0 && loc[2*at] >= 0 {
			want = loc[2*at]
		}
	}
	if got := fn(w); got != want {
		t.Errorf("%q on %q: got %d, want %d", re, w, got, want)
	}
}

func TestNativeMatchersAgree(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 11))
	for src, fn := range nativeMatchers {
		re := regexp.MustCompile(src)
		toks := nativeTokens[src]
		if len(toks) == 0 {
			t.Fatalf("%q: no test tokens", src)
		}
		matched := 0
		rounds := 20000
		if race.Enabled {
			rounds /= race.Stride
		}
		for range rounds {
			var b strings.Builder
			// Long runs of one matching token, with a few others mixed in.
			run := toks[r.IntN(len(toks))]
			for n := r.IntN(120); n > 0; n-- {
				if r.IntN(8) == 0 {
					b.WriteString(toks[r.IntN(len(toks))])
				} else {
					b.WriteString(run)
				}
			}
			w := b.String()
			if re.MatchString(w) {
				matched++
			}
			checkNative(t, re, fn, w)
		}
		if matched < 100 {
			t.Errorf("%q: only %d of the random texts match; the test needs better tokens", src, matched)
		}
	}
}

func FuzzNativeMatchers(f *testing.F) {
	for _, toks := range nativeTokens {
		f.Add(strings.Repeat(toks[0], 30))
		f.Add(strings.Join(toks, ""))
	}
	type native struct {
		re *regexp.Regexp
		fn func(string) int
	}
	var natives []native
	for src, fn := range nativeMatchers {
		natives = append(natives, native{regexp.MustCompile(src), fn})
	}
	f.Fuzz(func(t *testing.T, w string) {
		if len(w) > 8<<10 {
			return
		}
		for _, n := range natives {
			checkNative(t, n.re, n.fn, w)
		}
	})
}
