package explain

import (
	"slices"
	"strings"
	"testing"

	"github.com/automaldesc/automaldesc/analysis/indicators"
)

// refCommandsFor is commandsFor as it was before lowerText: one
// strings.Contains per key over the lower-cased text.
func refCommandsFor(lower string, only []uint16, max int) []uint16 {
	var out []uint16
	try := func(i int) bool {
		if strings.Contains(lower, commands[i].key) {
			for _, o := range out {
				if commands[o].name == commands[i].name {
					return len(out) >= max
				}
			}
			out = append(out, uint16(i))
		}
		return len(out) >= max
	}
	if only != nil {
		for _, i := range only {
			if try(int(i)) {
				break
			}
		}
		return out
	}
	for i := range commands {
		if try(i) {
			break
		}
	}
	return out
}

func checkCommandsFor(t *testing.T, parts ...string) {
	t.Helper()
	lower := asciiLower(strings.Join(parts, ""))
	var buf [16]byte // small, so that long texts take the growing path
	text := newLowerText(buf[:0], parts...)
	if string(text.b) != lower {
		t.Fatalf("newLowerText(%q) = %q, want %q", parts, text.b, lower)
	}
	for i, w := range injectionWords {
		if got, want := text.has(&injectionKeys[i]), strings.Contains(lower, w); got != want {
			t.Fatalf("has(%q, %q) = %v, want %v", lower, w, got, want)
		}
	}
	for pi, p := range iocPurposes {
		for ki, k := range p.keys {
			if got, want := text.has(&iocPurposeKeys[pi][ki]), strings.Contains(lower, k); got != want {
				t.Fatalf("has(%q, %q) = %v, want %v", lower, k, got, want)
			}
		}
	}
	lists := [][]uint16{nil}
	for _, l := range stageCommands {
		lists = append(lists, l)
	}
	for _, only := range lists {
		for _, max := range []int{1, 3, 1000} {
			if got, want := commandsFor(&text, only, max), refCommandsFor(lower, only, max); !slices.Equal(got, want) {
				t.Fatalf("commandsFor(%q, %v, %d) = %v, want %v", lower, only, max, got, want)
			}
		}
	}
}

// TestCommandsForReference compares commandsFor and lowerText.has with the
// plain search on every key of the vocabulary, of iocPurposes and of
// injectionWords, alone and in context, and on the fixtures of the default
// catalog.
func TestCommandsForReference(t *testing.T) {
	for _, w := range injectionWords {
		checkCommandsFor(t, w)
		checkCommandsFor(t, "Please ", strings.ToUpper(w), " now")
		checkCommandsFor(t, w[:len(w)-1])
	}
	for _, p := range iocPurposes {
		for _, k := range p.keys {
			checkCommandsFor(t, k)
			checkCommandsFor(t, "C:\\Users\\x\\", strings.ToUpper(k), "/y")
			checkCommandsFor(t, k[:len(k)-1])
		}
	}
	for _, c := range commands {
		checkCommandsFor(t, c.key)
		checkCommandsFor(t, "x ", strings.ToUpper(c.key), " y")
		checkCommandsFor(t, c.key[:len(c.key)-1])
	}
	for _, ind := range indicators.Default().Indicators() {
		for _, s := range ind.TruePositives {
			checkCommandsFor(t, s)
			checkCommandsFor(t, s, "\n", ind.Title, "\n")
		}
	}
}

func FuzzCommandsFor(f *testing.F) {
	for _, c := range commands[:20] {
		f.Add(c.key, "Invoke-Expression "+c.key)
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		checkCommandsFor(t, a, b)
	})
}
