package yarascan

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"

	yara "github.com/hillu/go-yara/v4"
)

/*
#include <yara.h>
*/
import "C"

// A precompiled rule set is what compileTogether builds for a list of
// sources, saved by libyara (yr_rules_save_stream) behind a header that
// names those sources:
//
//	automaldesc-yarc 1\n
//	<hex SHA-256 of PrecompiledKey(sources)>\n
//	<libyara's compiled rules>
//
// Loading one takes a few milliseconds where compiling the bundled rules
// takes ~15 ms, which every process start pays before its first scan.
// libyara refuses compiled rules of another file format version itself;
// the key adds the libyara version this package was built against, so a
// set saved by one libyara is never loaded by another.
const precompiledMagic = "automaldesc-yarc 1\n"

// ErrStalePrecompiled is wrapped by LoadPrecompiled's error when the data
// was saved for other sources or by another libyara version.
var ErrStalePrecompiled = errors.New("precompiled rules do not match the sources")

// libyaraVersion is the version of the libyara headers this package was
// compiled against.
var libyaraVersion = fmt.Sprintf("%d.%d.%d", C.YR_MAJOR_VERSION, C.YR_MINOR_VERSION, C.YR_MICRO_VERSION)

// PrecompiledKey identifies what a precompiled set was built from: the
// libyara version and every source's namespace, name and text, in order
// (the order sets the private namespaces; see compileTogether).
func PrecompiledKey(sources []Source) string {
	h := sha256.New()
	fmt.Fprintf(h, "libyara %s\n%d sources\n", libyaraVersion, len(sources))
	for _, s := range sources {
		for _, f := range []string{s.Namespace, s.Name, s.Text} {
			fmt.Fprintf(h, "%d:%s\n", len(f), f)
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}

// Precompile compiles the sources as Compile does when all of them are good
// and returns the saved rule set for LoadPrecompiled. It fails when a
// source has a problem: only a clean set is worth saving.
func Precompile(sources []Source) ([]byte, error) {
	r := compileTogether(sources)
	if r == nil {
		if _, err := compileIsolated(sources); err != nil {
			return nil, fmt.Errorf("yara: precompile: %w", err)
		}
		return nil, errors.New("yara: precompile: the sources do not compile together (a global rule or a duplicate)")
	}
	defer r.y.Destroy()
	var b bytes.Buffer
	b.WriteString(precompiledMagic)
	b.WriteString(PrecompiledKey(sources))
	b.WriteByte('\n')
	if err := r.y.Write(&b); err != nil {
		return nil, fmt.Errorf("yara: save rules: %w", err)
	}
	return b.Bytes(), nil
}

// LoadPrecompiled returns the rule set of data, made by Precompile from the
// same sources: the same rules, namespaces, metadata and Version as Compile
// gives. The error wraps ErrStalePrecompiled when data belongs to other
// sources or another libyara; the caller then compiles the sources.
func LoadPrecompiled(data []byte, sources []Source) (*Rules, error) {
	rest, ok := bytes.CutPrefix(data, []byte(precompiledMagic))
	if !ok {
		return nil, fmt.Errorf("yara: %w: no header", ErrStalePrecompiled)
	}
	key, rest, ok := bytes.Cut(rest, []byte{'\n'})
	if !ok || string(key) != PrecompiledKey(sources) {
		return nil, fmt.Errorf("yara: %w", ErrStalePrecompiled)
	}
	yr, err := yara.ReadRules(bytes.NewReader(rest))
	if err != nil {
		return nil, fmt.Errorf("yara: load precompiled rules: %w", err)
	}
	r := indexTogether(yr, sources)
	if r == nil {
		return nil, fmt.Errorf("yara: %w: the rules are not those of the sources", ErrStalePrecompiled)
	}
	r.precompiled = true
	return r, nil
}
