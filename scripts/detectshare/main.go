// Command detectshare reads the JSON-lines reports of `automaldesc scan
// --format jsonl` over a labelled corpus and prints, per manifest language,
// the share of malicious samples with at least one high or critical finding
// (indicator or YARA match): counting findings on every layer, and on
// layer 0 only (the original text, no decoded layers). The last column is
// the same share (all layers) for the benign samples: the false-alarm side.
//
// Usage: go run ./scripts/detectshare -manifest DIR/manifest.tsv -reports FILE.jsonl
//
// The engine reports each rule and indicator once, at the shallowest layer
// where it fired, so a finding at layer > 0 was not seen in the original.
package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"sort"

	"github.com/automaldesc/automaldesc/learning/dataset"
)

func main() {
	manifest := flag.String("manifest", "", "manifest.tsv of the corpus")
	reports := flag.String("reports", "", "JSON-lines reports of automaldesc scan")
	flag.Parse()
	if err := run(*manifest, *reports); err != nil {
		fmt.Fprintln(os.Stderr, "detectshare:", err)
		os.Exit(1)
	}
}

type finding struct {
	Severity string `json:"severity"`
	Layer    int    `json:"layer"`
}

type report struct {
	Sample struct {
		SHA256 string `json:"sha256"`
	} `json:"sample"`
	Indicators []finding `json:"indicators"`
	YARA       []finding `json:"yara"`
}

// strong reports whether a high or critical finding exists, on any layer or
// on layer 0 only.
func (r report) strong() (any, original bool) {
	for _, fs := range [][]finding{r.Indicators, r.YARA} {
		for _, f := range fs {
			if f.Severity == "high" || f.Severity == "critical" {
				any = true
				if f.Layer == 0 {
					original = true
				}
			}
		}
	}
	return any, original
}

type tally struct{ mal, malAny, malOrig, ben, benAny int }

func run(manifest, reports string) error {
	if manifest == "" || reports == "" {
		return errors.New("-manifest and -reports are required")
	}
	mf, err := os.Open(manifest)
	if err != nil {
		return err
	}
	defer mf.Close()
	entries, err := dataset.ReadManifest(mf)
	if err != nil {
		return err
	}
	type truth struct {
		lang  string
		label dataset.Label
	}
	bySHA := make(map[string]truth, len(entries))
	for _, e := range entries {
		bySHA[e.SHA256] = truth{e.Language, e.Label}
	}

	rf, err := os.Open(reports)
	if err != nil {
		return err
	}
	defer rf.Close()
	by := map[string]*tally{}
	total := &tally{}
	sc := bufio.NewScanner(rf)
	sc.Buffer(make([]byte, 1<<20), 256<<20)
	matched := 0
	for sc.Scan() {
		var r report
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			return fmt.Errorf("%s: %w", reports, err)
		}
		t, ok := bySHA[r.Sample.SHA256]
		if !ok {
			continue
		}
		matched++
		any, orig := r.strong()
		for _, x := range []*tally{total, by[t.lang]} {
			if x == nil {
				x = &tally{}
				by[t.lang] = x
			}
			switch t.label {
			case dataset.Malicious:
				x.mal++
				x.malAny += b2i(any)
				x.malOrig += b2i(orig)
			case dataset.Benign:
				x.ben++
				x.benAny += b2i(any)
			}
		}
	}
	if err := sc.Err(); err != nil {
		return err
	}
	if matched == 0 {
		return fmt.Errorf("no report matches a manifest entry")
	}
	langs := make([]string, 0, len(by))
	for l := range by {
		langs = append(langs, l)
	}
	sort.Strings(langs)
	fmt.Println("malicious samples with >= 1 high/critical finding (indicator or YARA), per manifest language:")
	fmt.Printf("  %-11s %6s %14s %14s   %s\n", "language", "mal", "all layers", "layer 0 only", "benign with one (all layers)")
	row := func(name string, x *tally) {
		fmt.Printf("  %-11s %6d %7d %5.1f%% %7d %5.1f%%   %d/%d %.1f%%\n", name, x.mal,
			x.malAny, pct(x.malAny, x.mal), x.malOrig, pct(x.malOrig, x.mal), x.benAny, x.ben, pct(x.benAny, x.ben))
	}
	for _, l := range langs {
		row(l, by[l])
	}
	row("all", total)
	return nil
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func pct(n, d int) float64 {
	if d == 0 {
		return 0
	}
	return 100 * float64(n) / float64(d)
}
