// Package render writes reports for people and programs: a readable
// terminal report (colour optional), JSON, JSON Lines, and the
// AutoMalDesc paper's {sha256, path, language, label, summary} view.
//
// Every attacker-controlled string (file names, excerpts, rule strings,
// explanations) goes through safetext.Escape before it reaches a terminal,
// and IOCs are shown defanged.
package render

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/automaldesc/automaldesc/analysis"
	"github.com/automaldesc/automaldesc/analysis/ioc"
	"github.com/automaldesc/automaldesc/analysis/verdict"
	"github.com/automaldesc/automaldesc/internal/safetext"
)

// Format names an output format.
type Format string

// Formats.
const (
	Text  Format = "text"
	JSON  Format = "json"
	JSONL Format = "jsonl"
	Paper Format = "paper"
)

// ParseFormat validates a --format value.
func ParseFormat(s string) (Format, error) {
	switch f := Format(strings.ToLower(s)); f {
	case Text, JSON, JSONL, Paper:
		return f, nil
	}
	return "", fmt.Errorf("unknown format %q (want text, json, jsonl or paper)", s)
}

// Writer writes a stream of reports in one format. It is not safe for
// concurrent use. Close finishes the stream (the closing bracket of json).
type Writer struct {
	w     io.Writer
	f     Format
	color bool
	n     int
	enc   jsonEncoder  // json, jsonl: the report, reused
	ind   bytes.Buffer // json: the indented report, reused
}

// maxKeptBuffer bounds the encoding buffers a Writer keeps between reports,
// so that one huge report does not pin its size for the rest of a stream.
const maxKeptBuffer = 1 << 20

// marshal returns r as json.Marshal encodes it, in a buffer that the next
// call reuses.
func (w *Writer) marshal(r *analysis.Report) ([]byte, error) {
	w.enc.b = w.enc.b[:0]
	if w.enc.appendReport(r) {
		return w.enc.b, nil
	}
	return json.Marshal(r) // for its error
}

func (w *Writer) release() {
	if cap(w.enc.b) > maxKeptBuffer {
		w.enc.b = nil
	}
	if w.ind.Cap() > maxKeptBuffer {
		w.ind = bytes.Buffer{}
	}
}

// NewWriter returns a writer; color applies to the text format only.
func NewWriter(w io.Writer, f Format, color bool) *Writer {
	return &Writer{w: w, f: f, color: color}
}

// Write emits one report.
func (w *Writer) Write(r *analysis.Report) error {
	defer func() { w.n++ }()
	switch w.f {
	case JSON:
		defer w.release()
		b, err := w.marshal(r)
		if err != nil {
			return err
		}
		w.ind.Reset()
		if w.n == 0 {
			w.ind.WriteString("[\n  ")
		} else {
			w.ind.WriteString(",\n  ")
		}
		// What json.MarshalIndent(r, "  ", "  ") does after marshalling.
		if err := json.Indent(&w.ind, b, "  ", "  "); err != nil {
			return err
		}
		_, err = w.w.Write(w.ind.Bytes())
		return err
	case JSONL:
		defer w.release()
		b, err := w.marshal(r)
		if err != nil {
			return err
		}
		b = append(b, '\n')
		w.enc.b = b[:0]
		_, err = w.w.Write(b)
		return err
	case Paper:
		b, err := json.Marshal(PaperView(r))
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(w.w, "%s\n", b)
		return err
	default:
		if w.n > 0 {
			if _, err := io.WriteString(w.w, "\n"); err != nil {
				return err
			}
		}
		return TextReport(w.w, r, w.color)
	}
}

// Close ends the stream.
func (w *Writer) Close() error {
	if w.f == JSON {
		if w.n == 0 {
			_, err := io.WriteString(w.w, "[]\n")
			return err
		}
		_, err := io.WriteString(w.w, "\n]\n")
		return err
	}
	return nil
}

// PaperRecord is the output shape of the AutoMalDesc paper.
type PaperRecord struct {
	SHA256   string `json:"sha256"`
	Path     string `json:"path"`
	Language string `json:"language"`
	Label    int    `json:"label"` // 1 malicious or suspicious, else 0
	Summary  string `json:"summary"`
}

// PaperView projects a report onto the paper's shape.
func PaperView(r *analysis.Report) PaperRecord {
	p := PaperRecord{SHA256: r.Sample.SHA256, Path: r.Sample.Path, Language: r.Language.Language.String(), Summary: r.Explanation.Summary}
	if p.Path == "" {
		p.Path = r.Sample.Name
	}
	if r.Malicious() {
		p.Label = 1
	}
	return p
}

type palette struct{ bold, red, yellow, green, dim, reset string }

func colors(on bool) palette {
	if !on {
		return palette{}
	}
	return palette{"\x1b[1m", "\x1b[31m", "\x1b[33m", "\x1b[32m", "\x1b[2m", "\x1b[0m"}
}

// TextReport writes a readable report.
func TextReport(w io.Writer, r *analysis.Report, color bool) error {
	c := colors(color)
	var b strings.Builder
	name := r.Sample.Path
	if name == "" {
		name = r.Sample.Name
	}
	fmt.Fprintf(&b, "%s== %s%s\n", c.bold, name, c.reset) // already escaped by the engine
	row := func(k, format string, args ...any) {
		fmt.Fprintf(&b, "  %-11s %s\n", k, fmt.Sprintf(format, args...))
	}
	if r.Sample.SHA256 != "" {
		row("sha256", "%s", r.Sample.SHA256)
	}
	row("size", "%d bytes", r.Sample.Size)
	if r.Sample.Signature != "" {
		row("signature", "%s", r.Sample.Signature)
	}
	if r.Status != analysis.StatusOK {
		row("status", "%s%s%s: %s", c.yellow, r.Status, c.reset, safetext.Escape(r.Reason))
		if r.Status == analysis.StatusSkipped {
			_, err := io.WriteString(w, b.String())
			return err
		}
	}
	row("language", "%s (confidence %.2f)  encoding %s", r.Language.Language, r.Language.Confidence, r.Encoding)
	vc := c.green
	switch r.Verdict.Label {
	case verdict.Malicious:
		vc = c.red
	case verdict.Suspicious, verdict.Unknown:
		vc = c.yellow
	}
	row("verdict", "%s%s%s%s  score %.2f  (%s)", c.bold, vc, strings.ToUpper(r.Verdict.Label.String()), c.reset, r.Verdict.Score, r.Verdict.Source)
	if s := r.Explanation.Summary; s != "" {
		row("summary", "%s", wrap(safetext.Escape(ioc.Defang(s)), 88, 14))
	}
	if len(r.Layers) > 1 {
		var chain []string
		for _, l := range r.Layers[1:] {
			t := fmt.Sprintf("%d:%s<-%d", l.Index, l.Method, l.Parent)
			if l.Truncated {
				t += "(truncated)"
			}
			chain = append(chain, t)
		}
		row("layers", "%d decoded: %s", len(r.Layers)-1, wrap(strings.Join(chain, ", "), 88, 14))
	}
	if len(r.YARA) > 0 {
		b.WriteString("  yara\n")
		for _, m := range r.YARA {
			fmt.Fprintf(&b, "    %-9s %s %s%s(layer %d)%s\n", orDash(m.Severity), safetext.Escape(m.Rule),
				techList(m.Techniques), c.dim, m.Layer, c.reset)
		}
	}
	if len(r.Indicators) > 0 {
		b.WriteString("  indicators\n")
		for _, h := range r.Indicators {
			fmt.Fprintf(&b, "    %-9s %s %s- %s %s(layer %d, %d:%d)%s\n", h.Severity, h.ID, techList(h.Techniques),
				safetext.Escape(h.Title), c.dim, h.Layer, h.Line, h.Column, c.reset)
			if h.Excerpt != "" {
				fmt.Fprintf(&b, "              %s%s%s\n", c.dim, truncate(safetext.Escape(ioc.Defang(h.Excerpt)), 100), c.reset)
			}
		}
	}
	if len(r.IOCs) > 0 {
		b.WriteString("  iocs\n")
		for _, i := range r.IOCs {
			fmt.Fprintf(&b, "    %-12s %s %s(layer %d)%s\n", i.Type, truncate(safetext.Escape(i.Defanged), 120), c.dim, i.Layer, c.reset)
		}
	}
	if len(r.Techniques) > 0 {
		b.WriteString("  att&ck\n")
		for _, t := range r.Techniques {
			fmt.Fprintf(&b, "    %-10s %s\n", t.ID, t.Name)
		}
	}
	if len(r.Verdict.Contributions) > 0 {
		b.WriteString("  contributions\n")
		for _, ct := range r.Verdict.Contributions {
			detail := ""
			if ct.Detail != "" {
				detail = fmt.Sprintf(" %s(%q)%s", c.dim, ct.Detail, c.reset)
			}
			fmt.Fprintf(&b, "    %+7.3f  %s%s\n", ct.Contribution, safetext.Escape(ct.Feature), detail)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func techList(ids []string) string {
	if len(ids) == 0 {
		return ""
	}
	return "[" + strings.Join(ids, ",") + "] "
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && s[cut]&0xC0 == 0x80 { // do not split a UTF-8 sequence
		cut--
	}
	return s[:cut] + "..."
}

// wrap folds s at width columns, indenting continuation lines.
func wrap(s string, width, indent int) string {
	words := strings.Fields(s)
	var b strings.Builder
	col := 0
	for i, w := range words {
		if i > 0 {
			if col+1+len(w) > width {
				b.WriteString("\n" + strings.Repeat(" ", indent))
				col = 0
			} else {
				b.WriteByte(' ')
				col++
			}
		}
		b.WriteString(w)
		col += len(w)
	}
	return b.String()
}
