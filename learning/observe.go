// Package learning holds what turns analysed samples into models: running
// the engine over datasets (Observe), training examples, and (with its
// sub-packages) datasets, metrics and evaluation.
package learning

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/automaldesc/automaldesc/analysis"
	"github.com/automaldesc/automaldesc/analysis/lang"
	"github.com/automaldesc/automaldesc/analysis/verdict"
	"github.com/automaldesc/automaldesc/learning/dataset"
)

// Observation is the engine's view of one dataset item.
type Observation struct {
	Index  int
	Item   dataset.Item
	Report *analysis.Report
	Input  map[string]float64 // the model's input vector; nil when the item was skipped
	Err    error              // read or analysis failure
}

// Observe runs eng over items with the given number of workers and calls fn
// for each observation, serially, in no particular order. maxSize is the
// largest sample read (larger ones are analysed as oversized and skipped by
// the engine). fn's error stops the run.
func Observe(ctx context.Context, eng *analysis.Engine, items []dataset.Item, workers int, maxSize int64, fn func(Observation) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	jobs := make(chan int)
	out := make(chan Observation, workers)
	var wg sync.WaitGroup
	for range max(1, workers) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				out <- observe(ctx, eng, i, items[i], maxSize)
			}
		}()
	}
	go func() {
		defer close(jobs)
		for i := range items {
			select {
			case jobs <- i:
			case <-ctx.Done():
				return
			}
		}
	}()
	go func() { wg.Wait(); close(out) }()
	var ferr error
	for o := range out {
		if ferr != nil {
			continue // drain
		}
		if err := fn(o); err != nil {
			ferr = err
			cancel()
		}
	}
	if ferr != nil {
		return ferr
	}
	return ctx.Err()
}

func observe(ctx context.Context, eng *analysis.Engine, i int, it dataset.Item, maxSize int64) Observation {
	o := Observation{Index: i, Item: it}
	data, cut, err := it.Read(maxSize + 1)
	if err != nil {
		o.Err = fmt.Errorf("%s: %w", it.Where, err)
		return o
	}
	s := analysis.Sample{Data: data, Name: "", Path: it.Where, Source: "dataset"}
	if cut {
		h := analysis.HashBytes(data)
		s = analysis.Sample{Size: int64(len(data)), Hashes: &h, Path: it.Where, Source: "dataset"}
	}
	o.Report, o.Input, o.Err = eng.Examine(ctx, s)
	return o
}

// Weights say how much each kind of labelled example counts in training.
type Weights struct {
	Seed      float64 // expert seed set
	Feedback  float64 // analyst feedback
	Pseudo    float64 // pseudo-labels kept by the learning loop
	Emulation float64 // attack-emulation corpus rows (single commands, weak labels)
	Other     float64 // any other labelled corpus row
}

// DefaultWeights: expert labels count most, weak labels least. Attack-
// emulation rows are mostly single discovery commands (whoami, net user)
// labelled malicious; at full weight they teach the model that any short
// admin one-liner is malicious, so they count a quarter (tuned on the dev
// split: 0.5 flagged 6 of 69 benign batch files, 0.25 flags 0-3, 0.15 starts
// to cost emulation recall).
func DefaultWeights() Weights {
	return Weights{Seed: 2, Feedback: 3, Pseudo: 0.5, Emulation: 0.25, Other: 1}
}

// ErrNoLabel is returned for an observation without a usable label.
var ErrNoLabel = errors.New("no label")

// Example turns a labelled observation into a training example. Skipped
// and failed observations have no features and are refused.
func Example(o Observation, w Weights) (verdict.Example, error) {
	if o.Err != nil {
		return verdict.Example{}, o.Err
	}
	if o.Input == nil {
		return verdict.Example{}, fmt.Errorf("%s: %s: %s", o.Item.Where, o.Report.Status, o.Report.Reason)
	}
	var mal bool
	switch o.Item.Label {
	case dataset.Malicious:
		mal = true
	case dataset.Benign:
	default:
		return verdict.Example{}, fmt.Errorf("%s: %w", o.Item.Where, ErrNoLabel)
	}
	l, err := lang.Parse(o.Item.Language)
	if err != nil || l == lang.Unknown {
		l = o.Report.Language.Language
	}
	return verdict.Example{Features: o.Input, Malicious: mal, Weight: w.For(o.Item.Provenance), Language: l}, nil
}

// For returns the weight of an example of the given provenance.
func (w Weights) For(provenance string) float64 {
	switch provenance {
	case "seed":
		return w.Seed
	case "feedback":
		return w.Feedback
	case "pseudo":
		return w.Pseudo
	case "attack-emulation":
		return w.Emulation
	}
	return w.Other
}
