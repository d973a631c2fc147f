package mail

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	"path"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/emersion/go-message"
	_ "github.com/emersion/go-message/charset" // registers the charset tables with go-message
	"github.com/emersion/go-message/textproto"
	"github.com/google/uuid"

	"github.com/automaldesc/automaldesc/analysis"
	"github.com/automaldesc/automaldesc/analysis/lang"
)

// Limits bound the work one message may cause. Zero fields take the
// defaults of DefaultLimits.
type Limits struct {
	// MaxMessageSize caps the bytes of the message read (after gunzip for
	// amavis files); the rest is not examined and a problem says so.
	MaxMessageSize int64
	// MaxParts caps the MIME entities visited.
	MaxParts int
	// MaxDepth caps the nesting of multiparts and attached messages.
	MaxDepth int
	// MaxAttachmentSize caps the decoded bytes of one attachment or one
	// archive entry (normally limits.max_file_size).
	MaxAttachmentSize int64
	// MaxSamples caps the parts (extracted or refused) of one message.
	MaxSamples int
	// MaxArchiveEntries caps the entries examined per archive.
	MaxArchiveEntries int
	// MaxArchiveBytes caps the uncompressed bytes read from all the
	// archives of one message, nested archives included.
	MaxArchiveBytes int64
	// MaxRatio is the largest uncompressed/compressed ratio of an entry
	// over ratioFloor bytes (zip bombs).
	MaxRatio int64
	// MaxArchiveDepth is how many archive levels are opened: 1 = an
	// attached ZIP, 2 = also a ZIP inside it.
	MaxArchiveDepth int
}

// DefaultLimits are the limits used for zero fields.
func DefaultLimits() Limits {
	return Limits{
		MaxMessageSize:    64 << 20,
		MaxParts:          500,
		MaxDepth:          10,
		MaxAttachmentSize: 10 << 20,
		MaxSamples:        100,
		MaxArchiveEntries: 1000,
		MaxArchiveBytes:   64 << 20,
		MaxRatio:          100,
		MaxArchiveDepth:   2,
	}
}

func (l Limits) withDefaults() Limits {
	d := DefaultLimits()
	set := func(v *int64, def int64) {
		if *v <= 0 {
			*v = def
		}
	}
	seti := func(v *int, def int) {
		if *v <= 0 {
			*v = def
		}
	}
	set(&l.MaxMessageSize, d.MaxMessageSize)
	seti(&l.MaxParts, d.MaxParts)
	seti(&l.MaxDepth, d.MaxDepth)
	set(&l.MaxAttachmentSize, d.MaxAttachmentSize)
	seti(&l.MaxSamples, d.MaxSamples)
	seti(&l.MaxArchiveEntries, d.MaxArchiveEntries)
	set(&l.MaxArchiveBytes, d.MaxArchiveBytes)
	set(&l.MaxRatio, d.MaxRatio)
	seti(&l.MaxArchiveDepth, d.MaxArchiveDepth)
	return l
}

// Part is one script found in a message, or one refusal.
type Part struct {
	// Path locates the part: the MIME part path ("2.1"; "1" for a
	// single-part message) and, for archive entries, "!" and the entry
	// name per archive level ("2!inner.zip!run.vbs"). It is unique within
	// a message and stable across reads, so record ids derive from it
	// (PartRecordID).
	Path string
	// Name is the file name of the sample: the attachment's, or the base
	// name of the archive entry.
	Name string
	// Attachment is the attachment's file name as sent (decoded).
	Attachment string
	// MIMEPart is the MIME part path alone.
	MIMEPart string
	// ArchivePath is the path inside the attached archive(s), levels
	// joined by "/" ("inner.zip/run.vbs"); empty for plain attachments.
	ArchivePath string
	// Data holds the script's bytes (transfer-decoded, never
	// charset-converted: the hashes are those of the file as attached).
	// nil when Skipped is set.
	Data []byte
	// Size is the part's size when known (the declared size of a refused
	// archive entry, or the bytes read).
	Size int64
	// Why says why the part counts as a script ("extension .js",
	// "content: powershell (0.97)").
	Why string
	// Skipped, when not empty, is why the part was refused.
	Skipped string
	// Note flags something odd about the part (an entry name that would
	// escape the archive root).
	Note string
}

// Message is what Parse found in one message.
type Message struct {
	// Email holds the message-level metadata; Sample adds the part's
	// attachment name, MIME part and archive path.
	Email analysis.EmailInfo
	// Parts are the extracted scripts and the refusals, in message order.
	Parts []Part
	// Ignored counts attachments and archive entries that are not scripts.
	Ignored int
	// Problems lists tolerated damage and limits that cut the walk short.
	Problems []string
}

// Extracted counts the parts with data.
func (m *Message) Extracted() int {
	n := 0
	for _, p := range m.Parts {
		if p.Skipped == "" {
			n++
		}
	}
	return n
}

// Summary describes the outcome in one line, for the message's own record.
func (m *Message) Summary() string {
	ext := m.Extracted()
	var b strings.Builder
	fmt.Fprintf(&b, "e-mail message: %d script(s) extracted as samples of their own, %d part(s) refused, %d other part(s) ignored",
		ext, len(m.Parts)-ext, m.Ignored)
	for _, p := range m.Parts {
		if p.Skipped != "" {
			fmt.Fprintf(&b, "; refused %s: %s", p.Path, p.Skipped)
		}
	}
	if len(m.Problems) > 0 {
		b.WriteString("; problems: ")
		b.WriteString(strings.Join(m.Problems, "; "))
	}
	return b.String()
}

// Sample returns the sample of an extracted part with the e-mail metadata
// attached. source and signature are the intake's.
func (m *Message) Sample(p Part, source, signature string) analysis.Sample {
	e := m.Email
	e.To = append([]string(nil), m.Email.To...)
	e.EnvelopeTo = append([]string(nil), m.Email.EnvelopeTo...)
	e.Attachment, e.Part, e.ArchivePath = p.Attachment, p.MIMEPart, p.ArchivePath
	s := analysis.Sample{Data: p.Data, Name: p.Name, Source: source, Signature: signature, Email: &e}
	if p.Data == nil {
		s.Size = p.Size
	}
	return s
}

// partNamespace is the UUIDv5 namespace of PartRecordID.
var partNamespace = uuid.MustParse("5f0c6a51-8d2e-5b7a-9e4c-6d61696c7061")

// PartRecordID is the deterministic record id of one part of a message:
// a function of the message's key (the queue item's claim id, or a digest
// of a posted message) and the part's Path. Processing the same message
// again yields the same ids, so a crash or a retried post never
// duplicates records.
func PartRecordID(key, partPath string) string {
	return uuid.NewSHA1(partNamespace, []byte(key+"\x00"+partPath)).String()
}

// errReader remembers the first error of the underlying reader other than
// EOF, so I/O failures can be told from malformed content.
type errReader struct {
	r   io.Reader
	err error
}

func (e *errReader) Read(p []byte) (int, error) {
	n, err := e.r.Read(p)
	if err != nil && err != io.EOF && e.err == nil {
		e.err = err
	}
	return n, err
}

// limitReader is io.LimitReader that remembers it cut the input short.
type limitReader struct {
	r   io.Reader
	n   int64
	hit bool
}

func (l *limitReader) Read(p []byte) (int, error) {
	if l.n <= 0 {
		var one [1]byte
		if n, _ := l.r.Read(one[:]); n > 0 {
			l.hit = true
		}
		return 0, io.EOF
	}
	if int64(len(p)) > l.n {
		p = p[:l.n]
	}
	n, err := l.r.Read(p)
	l.n -= int64(n)
	return n, err
}

// Parse reads one message and extracts its scripts. Malformed content is
// tolerated and listed in Problems; the error is set only when reading r
// failed.
func Parse(r io.Reader, lim Limits) (*Message, error) {
	lim = lim.withDefaults()
	er := &errReader{r: r}
	lr := &limitReader{r: er, n: lim.MaxMessageSize}
	w := &walker{lim: lim, msg: &Message{}, budget: &archiveBudget{left: lim.MaxArchiveBytes}}
	br := bufio.NewReader(lr)
	h, err := textproto.ReadHeader(br)
	if err != nil {
		if er.err != nil {
			return nil, fmt.Errorf("read message: %w", er.err)
		}
		w.problem("message header: %v; header fields after the damage are lost", err)
	}
	hdr := message.Header{Header: h}
	w.msg.Email = headerInfo(hdr)
	w.walk(hdr, br, "", 0)
	// Drain what the walk left (an epilogue, a broken multipart) so the
	// size limit and I/O errors are seen.
	if _, err := io.Copy(io.Discard, br); err != nil && er.err == nil {
		w.problem("read: %v", err)
	}
	if er.err != nil {
		return nil, fmt.Errorf("read message: %w", er.err)
	}
	if lr.hit {
		w.problem("message larger than %d bytes; the rest was not examined", lim.MaxMessageSize)
	}
	return w.msg, nil
}

type walker struct {
	lim     Limits
	msg     *Message
	parts   int
	capped  bool // MaxSamples reached
	partCap bool // MaxParts reached
	budget  *archiveBudget
}

const maxProblems = 50

func (w *walker) problem(format string, args ...any) {
	if len(w.msg.Problems) < maxProblems {
		w.msg.Problems = append(w.msg.Problems, fmt.Sprintf(format, args...))
	} else if len(w.msg.Problems) == maxProblems {
		w.msg.Problems = append(w.msg.Problems, "more problems not listed")
	}
}

func (w *walker) add(p Part) {
	if len(w.msg.Parts) >= w.lim.MaxSamples {
		if !w.capped {
			w.capped = true
			w.msg.Parts = append(w.msg.Parts, Part{Path: p.Path, MIMEPart: p.MIMEPart, Name: p.Name, Attachment: p.Attachment,
				Skipped: fmt.Sprintf("message holds more than %d scripts or refusals; this part and the rest were not examined", w.lim.MaxSamples)})
		}
		return
	}
	w.msg.Parts = append(w.msg.Parts, p)
}

func child(parent string, i int) string {
	if parent == "" {
		return strconv.Itoa(i)
	}
	return parent + "." + strconv.Itoa(i)
}

// walk visits one entity: body is its raw (still transfer-encoded) body.
func (w *walker) walk(h message.Header, body io.Reader, mpath string, depth int) {
	w.parts++
	if w.parts > w.lim.MaxParts {
		if !w.partCap {
			w.partCap = true
			w.add(Part{Path: nonEmpty(mpath, "1"), MIMEPart: nonEmpty(mpath, "1"),
				Skipped: fmt.Sprintf("message has more than %d MIME parts; this part and the rest were not examined", w.lim.MaxParts)})
		}
		return
	}
	mt, params := contentType(h)
	switch {
	case strings.HasPrefix(mt, "multipart/"):
		if depth >= w.lim.MaxDepth {
			w.add(Part{Path: nonEmpty(mpath, "1"), MIMEPart: nonEmpty(mpath, "1"),
				Skipped: fmt.Sprintf("MIME nesting deeper than %d levels; part not examined", w.lim.MaxDepth)})
			return
		}
		boundary := params["boundary"]
		if boundary == "" {
			w.problem("part %s: %s without a boundary; examined as one part", nonEmpty(mpath, "1"), mt)
			w.leaf(h, body, nonEmpty(mpath, "1"))
			return
		}
		mr := textproto.NewMultipartReader(body, boundary)
		for i := 1; ; i++ {
			p, err := mr.NextPart()
			if err == io.EOF {
				return
			}
			if err != nil {
				w.problem("part %s: multipart: %v; the rest of it was not examined", nonEmpty(mpath, "1"), err)
				return
			}
			w.walk(message.Header{Header: p.Header}, p, child(mpath, i), depth+1)
			if w.partCap {
				return
			}
		}
	case mt == "message/rfc822" || mt == "message/global":
		p := nonEmpty(mpath, "1")
		if depth >= w.lim.MaxDepth {
			w.add(Part{Path: p, MIMEPart: p, Skipped: fmt.Sprintf("attached message nested deeper than %d levels; not examined", w.lim.MaxDepth)})
			return
		}
		br := bufio.NewReader(transferDecode(h, body, w, p))
		ih, err := textproto.ReadHeader(br)
		if err != nil {
			w.problem("part %s: attached message header: %v", p, err)
		}
		// The attached message's own parts are numbered below p.
		w.walk(message.Header{Header: ih}, br, p, depth+1)
	default:
		w.leaf(h, body, nonEmpty(mpath, "1"))
	}
}

func nonEmpty(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// contentType returns the media type and parameters, tolerating damage
// (text/plain as RFC 2045 says for a missing or broken header).
func contentType(h message.Header) (string, map[string]string) {
	if !h.Has("Content-Type") {
		return "text/plain", map[string]string{}
	}
	mt, params, err := h.ContentType()
	if err != nil {
		raw := h.Get("Content-Type")
		mt = strings.ToLower(strings.TrimSpace(strings.SplitN(raw, ";", 2)[0]))
		params = looseParams(raw)
	}
	if params == nil {
		params = map[string]string{}
	}
	return mt, params
}

// looseParams reads name=value parameters from a header that
// mime.ParseMediaType refused (duplicate or malformed parameters).
func looseParams(raw string) map[string]string {
	out := map[string]string{}
	for _, f := range strings.Split(raw, ";")[1:] {
		k, v, ok := strings.Cut(f, "=")
		if !ok {
			continue
		}
		k = strings.ToLower(strings.TrimSpace(k))
		v = strings.Trim(strings.TrimSpace(v), `"`)
		if _, dup := out[k]; !dup && k != "" {
			out[k] = v
		}
	}
	return out
}

// transferDecode undoes the Content-Transfer-Encoding only: go-message's
// decoder is used on a header that carries nothing else, so text parts
// are not charset-converted (hashes stay those of the attached file).
func transferDecode(h message.Header, body io.Reader, w *walker, p string) io.Reader {
	enc := h.Get("Content-Transfer-Encoding")
	if enc == "" {
		return body
	}
	var only message.Header
	only.Set("Content-Transfer-Encoding", enc)
	e, err := message.New(only, body)
	if err != nil {
		w.problem("part %s: %v; read undecoded", p, err)
	}
	return e.Body
}

// fileName returns the attachment's file name: Content-Disposition
// filename, else Content-Type name (RFC 2231 and RFC 2047 decoded).
func fileName(h message.Header) string {
	for _, f := range [][2]string{{"Content-Disposition", "filename"}, {"Content-Type", "name"}} {
		if !h.Has(f[0]) {
			continue
		}
		raw := h.Get(f[0])
		// mime.ParseMediaType drops RFC 2231 values in charsets other
		// than UTF-8 (and keeps only the rest of a continuation): decode
		// extended parameters here.
		if strings.Contains(strings.ToLower(raw), f[1]+"*") {
			if v := starParam(raw, f[1]); v != "" {
				return cleanName(v)
			}
		}
		_, params, err := mime.ParseMediaType(raw)
		if err != nil {
			params = looseParams(raw)
		}
		if v := params[f[1]]; v != "" {
			if d, err := wordDecoder.DecodeHeader(v); err == nil {
				v = d
			}
			return cleanName(v)
		}
	}
	return ""
}

// starParam decodes an RFC 2231 extended parameter (key*=charset'lang'
// value, or the continuations key*0*, key*1, ...) in any charset
// go-message knows.
func starParam(raw, key string) string {
	params := looseParams(raw)
	var enc strings.Builder
	if v, ok := params[key+"*"]; ok {
		enc.WriteString(v)
	} else {
		for i := 0; i < 100; i++ {
			if v, ok := params[key+"*"+strconv.Itoa(i)+"*"]; ok {
				enc.WriteString(v)
			} else if v, ok := params[key+"*"+strconv.Itoa(i)]; ok {
				enc.WriteString(strings.ReplaceAll(v, "%", "%25"))
			} else {
				break
			}
		}
	}
	cs, rest, ok := strings.Cut(enc.String(), "'")
	if !ok {
		return ""
	}
	_, val, ok := strings.Cut(rest, "'")
	if !ok {
		return ""
	}
	raw8, ok := percentDecode(val)
	if !ok {
		return ""
	}
	if cs == "" || strings.EqualFold(cs, "utf-8") || strings.EqualFold(cs, "us-ascii") {
		return string(raw8)
	}
	r, err := message.CharsetReader(strings.ToLower(cs), bytes.NewReader(raw8))
	if err != nil {
		return string(raw8)
	}
	out, err := io.ReadAll(io.LimitReader(r, 4096))
	if err != nil {
		return string(raw8)
	}
	return string(out)
}

func percentDecode(s string) ([]byte, bool) {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] != '%' {
			out = append(out, s[i])
			continue
		}
		if i+2 >= len(s) {
			return nil, false
		}
		v, err := strconv.ParseUint(s[i+1:i+3], 16, 8)
		if err != nil {
			return nil, false
		}
		out = append(out, byte(v))
		i += 2
	}
	return out, true
}

var wordDecoder = &mime.WordDecoder{CharsetReader: func(cs string, in io.Reader) (io.Reader, error) {
	return message.CharsetReader(strings.ToLower(cs), in)
}}

// cleanName keeps a name short and valid UTF-8; names stay data, never
// paths (the report escapes them for display).
func cleanName(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if len(s) > 512 {
		s = s[:512]
		for !utf8.ValidString(s) {
			s = s[:len(s)-1]
		}
	}
	return s
}

// leaf examines one non-multipart entity.
func (w *walker) leaf(h message.Header, body io.Reader, p string) {
	name := fileName(h)
	disp := ""
	if h.Has("Content-Disposition") {
		disp, _, _ = h.ContentDisposition()
		disp = strings.ToLower(disp)
	}
	mt, _ := contentType(h)
	// Body text (no name, inline text) is the message itself, not an
	// attachment.
	if name == "" && disp != "attachment" && (strings.HasPrefix(mt, "text/") || strings.HasPrefix(mt, "multipart/")) {
		return
	}
	data, over, err := readAtMost(transferDecode(h, body, w, p), w.lim.MaxAttachmentSize)
	if err != nil {
		w.problem("part %s: decode: %v; examined what was decoded", p, err)
	}
	w.examine(data, over, name, p, name, nil)
}

// readAtMost reads up to max bytes; over reports that more followed.
func readAtMost(r io.Reader, max int64) (data []byte, over bool, err error) {
	data, err = io.ReadAll(io.LimitReader(r, max+1))
	if int64(len(data)) > max {
		return data[:max], true, err
	}
	return data, false, err
}

// examine decides what one attachment or archive entry is: a script
// (added), an archive (opened), or something else (ignored). levels are
// the entry names per archive level (nil for an attachment).
func (w *walker) examine(data []byte, over bool, name, mimePart, attachment string, levels []string) {
	partPath, base := mimePart, name
	if len(levels) > 0 {
		partPath = mimePart + "!" + strings.Join(levels, "!")
		base = path.Base(strings.ReplaceAll(name, `\`, "/"))
	}
	mk := func() Part {
		return Part{Path: partPath, Name: base, Attachment: attachment, MIMEPart: mimePart, ArchivePath: strings.Join(levels, "/"), Size: int64(len(data))}
	}
	if isZip(data) {
		switch {
		case over:
			pt := mk()
			pt.Skipped = fmt.Sprintf("archive larger than %d bytes; not opened", w.lim.MaxAttachmentSize)
			w.add(pt)
		case len(levels) >= w.lim.MaxArchiveDepth:
			pt := mk()
			pt.Skipped = fmt.Sprintf("archive nested %d levels deep (limit %d); not opened", len(levels)+1, w.lim.MaxArchiveDepth)
			w.add(pt)
		default:
			w.zip(data, mimePart, attachment, levels, w.budget)
		}
		return
	}
	why := scriptWhy(data, name)
	if why == "" {
		w.msg.Ignored++
		return
	}
	pt := mk()
	if over {
		pt.Skipped = fmt.Sprintf("script larger than %d bytes (%s); not extracted", w.lim.MaxAttachmentSize, why)
		w.add(pt)
		return
	}
	pt.Data, pt.Why = data, why
	if pt.Data == nil {
		pt.Data = []byte{}
	}
	w.add(pt)
}

// scriptExts are the extensions that make an attachment a script whatever
// its content.
var scriptExts = map[string]bool{
	".ps1": true, ".psm1": true, ".js": true, ".jse": true, ".vbs": true, ".vbe": true, ".wsf": true,
	".hta": true, ".bat": true, ".cmd": true, ".sh": true, ".py": true,
}

// minSniffConfidence is the language confidence a file without a script
// extension needs to count as a script.
const minSniffConfidence = 0.6

// scriptWhy says why data is a script, or "" when it is not.
func scriptWhy(data []byte, name string) string {
	ext := strings.ToLower(path.Ext(strings.ReplaceAll(name, `\`, "/")))
	if scriptExts[ext] {
		return "extension " + ext
	}
	if len(data) == 0 {
		return ""
	}
	text, err := decodeText(data)
	if err != nil {
		return ""
	}
	res := lang.Identify(text, name)
	if res.Language == lang.Unknown || res.Confidence < minSniffConfidence {
		return ""
	}
	return fmt.Sprintf("content: %s (%.2f)", res.Language, res.Confidence)
}

// errNotText is returned by decodeText for binary data.
var errNotText = errors.New("not text")
