package formats

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/automaldesc/automaldesc/analysis"
	"github.com/automaldesc/automaldesc/sidecar"
)

// ErrUnknownFormat is wrapped by Encode when the format name is not in the
// registry.
var ErrUnknownFormat = errors.New("unknown export format")

// Format describes one output format.
type Format struct {
	Name        string // the name Encode takes: ecs, ocsf, stix, misp
	Description string
	render      func(*analysis.Report) any
}

// registry lists every format, in the order Formats returns them.
var registry = []Format{
	{Name: "ecs", Description: "Elastic Common Schema 8.x alert document (the sidecar's NDJSON shape)",
		render: func(r *analysis.Report) any { return sidecar.ECS(r) }},
	{Name: "ocsf", Description: "OCSF 1.1.0 Detection Finding (class_uid 2004)",
		render: func(r *analysis.Report) any { return OCSF(r) }},
	{Name: "stix", Description: "STIX 2.1 bundle: file, malware-analysis, indicators, attack patterns, note",
		render: func(r *analysis.Report) any { return STIX(r) }},
	{Name: "misp", Description: "MISP event JSON with attributes and ATT&CK galaxy tags",
		render: func(r *analysis.Report) any { return MISP(r) }},
}

// Formats returns the registered formats in a stable order.
func Formats() []Format { return append([]Format(nil), registry...) }

// Names returns the names of the registered formats.
func Names() []string {
	out := make([]string, len(registry))
	for i, f := range registry {
		out[i] = f.Name
	}
	return out
}

// Encode renders r in the named format (case-insensitive) as one compact
// JSON document without a trailing newline.
func Encode(format string, r *analysis.Report) ([]byte, error) {
	if r == nil {
		return nil, errors.New("encode: nil report")
	}
	name := strings.ToLower(strings.TrimSpace(format))
	for _, f := range registry {
		if f.Name == name {
			b, err := marshal(f.render(r))
			if err != nil {
				return nil, fmt.Errorf("encode %s: report %s: %w", name, r.ID, err)
			}
			return b, nil
		}
	}
	return nil, fmt.Errorf("%w %q (want %s)", ErrUnknownFormat, format, strings.Join(Names(), ", "))
}

// marshal is json.Marshal without HTML escaping: the documents go to
// machines, and "<" in a command line should stay "<".
func marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}
