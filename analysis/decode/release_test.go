package decode

import (
	"context"
	"fmt"
	"reflect"
	"sync"
	"testing"

	"github.com/automaldesc/automaldesc/analysis/lang"
	"github.com/automaldesc/automaldesc/internal/corpus"
)

func init() {
	// Released literal lists are overwritten, so that a use after release
	// fails the tests instead of reading a list another text reuses.
	releasePoison = true
}

// TestScanRelease checks that a released scan gives its literal lists
// back and lexes the text again if asked (which Decode never does).
func TestScanRelease(t *testing.T) {
	text := `var a = 'x' + "y\x41"; f('z')`
	s := newScan(text, lang.JavaScript, 1<<20)
	ls := s.jsLits()
	if ls.len() != 3 || ls.at(1).val != "yA" {
		t.Fatalf("literals: %d, second %q", ls.len(), ls.at(1).val)
	}
	s.release()
	if s.js != nil {
		t.Fatal("release kept the list")
	}
	if ls.text != "" || ls.len() != 0 {
		t.Fatal("released list not emptied")
	}
	if got := s.jsLits(); got.len() != 3 || got.at(2).val != "z" {
		t.Fatalf("after release: %d literals", got.len())
	}
	s.release()
	s.release() // a second release is a no-op

	ps := newScan(`$a = 'x' + "y`+"`"+`n"`, lang.PowerShell, 1<<20)
	if lits := ps.psLits(); len(lits) != 2 || lits[1].val != "y\n" {
		t.Fatalf("PowerShell literals: %+v", lits)
	}
	list := ps.ps
	ps.release()
	if ps.ps != nil || len(*list) != 0 {
		t.Fatal("PowerShell list not released")
	}
}

// TestDecodeConcurrentPools decodes the dev samples on several goroutines
// at once, each in its own order, and compares every result with a
// sequential decode that recycles nothing: a list used after its release
// (poisoned in tests) or shared by two texts alive together would change
// a result (run it with -race too).
func TestDecodeConcurrentPools(t *testing.T) {
	type sample struct {
		name, text string
		l          lang.Language
		want       []Layer
	}
	var samples []sample
	opt := Options{Identify: lang.LanguageOf}
	keepReleased = true // the reference: no list is recycled
	defer func() { keepReleased = false }()
	corpus.Sweep(t, corpus.Dev, func(name, text string) {
		l := lang.Identify(text, name).Language
		want, err := Decode(context.Background(), text, l, opt)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		samples = append(samples, sample{name, text, l, want})
	})
	keepReleased = false
	const workers = 4
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := range workers {
		wg.Go(func() {
			for k := range samples {
				// Each worker starts elsewhere; odd ones go backwards.
				k = (k + w*len(samples)/workers) % len(samples)
				if w%2 == 1 {
					k = len(samples) - 1 - k
				}
				s := &samples[k]
				got, err := Decode(context.Background(), s.text, s.l, opt)
				if err == nil && !reflect.DeepEqual(got, s.want) {
					err = fmt.Errorf("%s: layers differ from the sequential decode", s.name)
				}
				if err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
