// Package builtin embeds the default verdict model, trained by
// `automaldesc train` as recorded in TRAINING.md beside it.
//
// model.json is the model file; the package embeds model.bin, the same
// model in the compact binary form of verdict.LoadBinary, which loads in a
// few milliseconds instead of the JSON's tens (paid by every command-line
// run). After training, regenerate it with go generate; a test fails while
// model.bin does not hold exactly the model of model.json.
package builtin

//go:generate go run gen.go

import (
	_ "embed"
	"fmt"
	"sync"

	"github.com/automaldesc/automaldesc/analysis/verdict"
)

//go:embed model.bin
var modelBinary []byte

var load = sync.OnceValues(func() (*verdict.Model, error) {
	m, err := verdict.LoadBinary(modelBinary)
	if err != nil {
		return nil, fmt.Errorf("built-in verdict model: %w", err)
	}
	return m, nil
})

// Model returns the embedded model. It is parsed once; the model is
// immutable and safe for concurrent use.
func Model() (*verdict.Model, error) { return load() }
