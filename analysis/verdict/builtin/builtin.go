// Package builtin embeds the default verdict model, trained by
// `automaldesc train` as recorded in TRAINING.md beside it.
package builtin

import (
	"bytes"
	_ "embed"
	"fmt"
	"sync"

	"github.com/automaldesc/automaldesc/analysis/verdict"
)

//go:embed model.json
var modelJSON []byte

var load = sync.OnceValues(func() (*verdict.Model, error) {
	m, err := verdict.Load(bytes.NewReader(modelJSON))
	if err != nil {
		return nil, fmt.Errorf("built-in verdict model: %w", err)
	}
	return m, nil
})

// Model returns the embedded model. It is parsed once; the model is
// immutable and safe for concurrent use.
func Model() (*verdict.Model, error) { return load() }
