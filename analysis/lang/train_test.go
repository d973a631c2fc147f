package lang

import (
	"flag"
	"io/fs"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/automaldesc/automaldesc/analysis/charset"
	"github.com/automaldesc/automaldesc/internal/corpus"
	"github.com/automaldesc/automaldesc/learning/dataset"
)

// Retrain the embedded model:
//
//	go test ./analysis/lang -run TestTrainModel -train [-negatives DIR,DIR...]
//
// The model learns the six languages from the shared train split and the
// Unknown class from text files found on the build machine (Go, C, Perl,
// HTML, XML, JSON, YAML, prose); no sample text enters the repository, only
// the weights in model.bin.
var (
	train    = flag.Bool("train", false, "retrain model.bin from the train corpus and local negative files")
	trainBit = flag.Int("train.bits", maxBits, "hash bits of the trained model")
	epochs   = flag.Int("train.epochs", 12, "training epochs")
	l2       = flag.Float64("train.l2", 1e-6, "L2 penalty")
	negW     = flag.Float64("train.negweight", 1, "weight of Unknown examples")
	negRoots = flag.String("negatives", "/usr/local/go/src,/usr/include,/usr/share/perl,/usr/share/doc,/usr/share/mime,/root/.rustup/toolchains,/usr/lib/node_modules/npm,/usr/lib/google-cloud-sdk,/root/.pyenv/versions/3.11.7/lib/python3.11/site-packages,/usr/share/alsa,/usr/share/tcltk,/usr/share/vim", "comma-separated folders searched for Unknown-class training files")
)

// negativeQuota caps how many files of each extension become Unknown
// examples. Python, shell and JavaScript files are never negatives.
var negativeQuota = map[string]int{
	".go": 700, ".c": 150, ".h": 500, ".cc": 50, ".cpp": 50, ".pl": 300, ".pm": 400,
	".html": 700, ".xml": 300, ".json": 400, ".yaml": 200, ".yml": 60, ".toml": 20,
	".md": 300, ".txt": 400, ".rst": 100, ".conf": 150, ".ini": 20, ".csv": 5, ".tcl": 60,
	".php": 150, ".rb": 5, ".java": 5, ".svg": 50, ".css": 150, ".vim": 150, "copyright": 300,
}

type example struct {
	class int
	feats []uint32 // distinct buckets
}

func featurize(text string, bits uint8) []uint32 {
	f := getFeatureSet(bits)
	defer f.put()
	extract(text, f)
	return slices.Clone(f.buckets)
}

func loadSplit(t *testing.T, dir string, bits uint8) []example {
	t.Helper()
	entries, base, err := dataset.LoadManifest(filepath.Join(dir, "manifest.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	var out []example
	for _, e := range entries {
		l, err := Parse(e.Language)
		if err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(e.Path(base))
		if err != nil {
			t.Fatal(err)
		}
		text, _, err := charset.Decode(b)
		if err != nil {
			continue
		}
		out = append(out, example{class: int(l), feats: featurize(text, bits)})
	}
	return out
}

func loadNegatives(t *testing.T, bits uint8) []example {
	t.Helper()
	var files []string
	count := map[string]int{}
	r := rand.New(rand.NewPCG(3, 4))
	for _, root := range strings.Split(*negRoots, ",") {
		filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return nil
			}
			key := strings.ToLower(filepath.Ext(p))
			if filepath.Base(p) == "copyright" {
				key = "copyright"
			}
			q, ok := negativeQuota[key]
			if !ok {
				return nil
			}
			// Sample sparsely from big trees so that each quota spreads
			// over many folders.
			if r.IntN(8) != 0 {
				return nil
			}
			if count[key] >= q {
				return nil
			}
			if fi, err := d.Info(); err != nil || fi.Size() < 40 || fi.Size() > 256<<10 {
				return nil
			}
			count[key]++
			files = append(files, p)
			return nil
		})
	}
	t.Logf("negatives: %v", count)
	var out []example
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		text, _, err := charset.Decode(b)
		if err != nil {
			continue
		}
		out = append(out, example{class: int(Unknown), feats: featurize(text, bits)})
	}
	return out
}

// fit trains a multinomial logistic regression with AdaGrad.
func fit(data []example, bits uint8, epochs int, l2 float64) ([]float64, [nClasses]float64) {
	nb := 1 << bits
	w := make([]float64, nb*nClasses)
	g2 := make([]float64, nb*nClasses)
	var bias, bg2 [nClasses]float64
	const lr = 0.5
	order := make([]int, len(data))
	for i := range order {
		order[i] = i
	}
	r := rand.New(rand.NewPCG(1, 2))
	// The returned weights average the epochs of the second half, which
	// steadies the model against the order of the examples.
	avg := make([]float64, len(w))
	var avgBias [nClasses]float64
	navg := 0
	for ep := 0; ep < epochs; ep++ {
		if ep >= epochs/2 && ep > 0 {
			for i, v := range w {
				avg[i] += v
			}
			for c, v := range bias {
				avgBias[c] += v
			}
			navg++
		}
		r.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		for _, i := range order {
			ex := data[i]
			if len(ex.feats) == 0 {
				continue
			}
			x := 1 / math.Sqrt(float64(len(ex.feats)))
			var z [nClasses]float64
			for c := range z {
				z[c] = bias[c]
			}
			for _, f := range ex.feats {
				for c := 0; c < nClasses; c++ {
					z[c] += w[int(f)*nClasses+c] * x
				}
			}
			p := softmax(z)
			sw := 1.0
			if ex.class == int(Unknown) {
				sw = *negW
			}
			for c := 0; c < nClasses; c++ {
				g := p[c]
				if c == ex.class {
					g -= 1
				}
				g *= sw
				bg2[c] += g * g
				bias[c] -= lr * g / (math.Sqrt(bg2[c]) + 1e-8)
				for _, f := range ex.feats {
					k := int(f)*nClasses + c
					gw := g*x + l2*w[k]
					g2[k] += gw * gw
					w[k] -= lr * gw / (math.Sqrt(g2[k]) + 1e-8)
				}
			}
		}
	}
	for i, v := range w {
		avg[i] = (avg[i] + v) / float64(navg+1)
	}
	for c, v := range bias {
		avgBias[c] = (avgBias[c] + v) / float64(navg+1)
	}
	return avg, avgBias
}

func quantize(w []float64, bias [nClasses]float64, bits uint8) *model {
	mx := 0.0
	for _, v := range w {
		mx = max(mx, math.Abs(v))
	}
	scale := mx / 127
	m := &model{bits: bits, scale: float32(scale), weights: make([]int8, len(w))}
	for i, v := range w {
		m.weights[i] = int8(math.Round(v / scale))
	}
	for c := range bias {
		m.bias[c] = float32(bias[c])
	}
	m.rows = m.packRows()
	return m
}

func TestTrainModel(t *testing.T) {
	if !*train {
		t.Skip("run with -train to retrain model.bin")
	}
	if *trainBit < 8 || *trainBit > maxBits {
		t.Fatalf("-train.bits %d: want 8..%d", *trainBit, maxBits)
	}
	bits := uint8(*trainBit)
	trainDir := corpus.Require(t, corpus.Train)
	data := loadSplit(t, trainDir, bits)
	neg := loadNegatives(t, bits)
	t.Logf("train: %d corpus examples, %d negatives", len(data), len(neg))
	data = append(data, neg...)
	w, bias := fit(data, bits, *epochs, *l2)
	m := quantize(w, bias, bits)
	if err := os.WriteFile("model.bin", m.encode(), 0o644); err != nil {
		t.Fatal(err)
	}
	// Quick check of the quantised model on dev.
	dev := loadSplit(t, corpus.Require(t, corpus.Dev), bits)
	miss := map[string]int{}
	wrong := 0
	for _, ex := range dev {
		p := softmax(m.logits(ex.feats))
		best := 0
		for c := range p {
			if p[c] > p[best] {
				best = c
			}
		}
		if best != ex.class {
			wrong++
			miss[Language(ex.class).String()+"->"+Language(best).String()]++
		}
	}
	keys := make([]string, 0, len(miss))
	for k := range miss {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		t.Logf("  %s: %d", k, miss[k])
	}
	t.Logf("raw model dev accuracy: %.4f (%d wrong of %d)", 1-float64(wrong)/float64(len(dev)), wrong, len(dev))
}
