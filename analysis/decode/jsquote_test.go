package decode

import "strings"

// jsQuote renders v as a double-quoted JavaScript literal, for the frozen
// copies of the old rewriters (reference_*_test.go), which built a string
// per edit.
func jsQuote(v string) string {
	var b strings.Builder
	b.Grow(len(v) + 2)
	writeJSQuote(&b, v)
	return b.String()
}
