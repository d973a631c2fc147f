package indicators

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"sync"
	"testing"

	"github.com/automaldesc/automaldesc/analysis/charset"
	"github.com/automaldesc/automaldesc/analysis/decode"
	"github.com/automaldesc/automaldesc/analysis/lang"
	"github.com/automaldesc/automaldesc/internal/corpus"
)

// corpusLayer is one text the engine hands to Scan for a dev-corpus sample.
type corpusLayer struct {
	name  string // sample file name and layer index, for messages
	text  string
	l     lang.Language
	index int
}

var (
	devLayersOnce sync.Once
	devLayers     []corpusLayer
	devLayersErr  error
)

// loadDevLayers returns every layer the engine scans for the dev corpus:
// each sample is charset-decoded, identified and run through the decoders
// as the engine does with its default limits. It skips the test when the
// corpus is not available (corpus.Require fails it in CI).
func loadDevLayers(tb testing.TB) []corpusLayer {
	tb.Helper()
	dir := corpus.Require(tb, corpus.Dev)
	devLayersOnce.Do(func() {
		ents, err := os.ReadDir(filepath.Join(dir, "samples"))
		if err != nil {
			devLayersErr = err
			return
		}
		names := make([]string, 0, len(ents))
		for _, e := range ents {
			names = append(names, e.Name())
		}
		sort.Strings(names)
		identify := func(t string) lang.Language { return lang.Identify(t, "").Language }
		for _, name := range names {
			b, err := os.ReadFile(filepath.Join(dir, "samples", name))
			if err != nil {
				devLayersErr = err
				return
			}
			text, _, err := charset.Decode(b)
			if err != nil {
				continue // the engine skips it too
			}
			l := lang.Identify(text, name).Language
			layers, _ := decode.Decode(context.Background(), text, l, decode.Options{
				Limits:   decode.DefaultLimits(len(text)),
				Identify: identify,
			})
			if len(layers) == 0 {
				layers = []decode.Layer{{Language: l, Text: text}}
			}
			for _, ly := range layers {
				devLayers = append(devLayers, corpusLayer{name: name + "#" + strconv.Itoa(ly.Index), text: ly.Text, l: ly.Language, index: ly.Index})
			}
		}
	})
	if devLayersErr != nil {
		tb.Fatal(devLayersErr)
	}
	return devLayers
}
