package mail

import (
	"bufio"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"path"
	"strings"
)

// amavisPrefixes are the quarantine types amavisd-new names its files
// after ("virus-AbCdEf123", "spam-AbCdEf123.gz").
var amavisPrefixes = []string{"virus-", "spam-", "banned-", "badh-", "bad-header-", "clean-", "archive-", "unchecked-", "oversized-", "mta-"}

// maxFromLine caps the mbox "From " line.
const maxFromLine = 4096

// ReadAmavis reads one amavisd-new quarantine file: optionally gzipped
// (detected by content, not by the .gz suffix), optionally starting with
// an mbox "From sender date" line, then the message with the headers
// amavis adds (X-Envelope-From, X-Envelope-To, X-Quarantine-ID). name is
// the file's base name; the quarantine id is taken from it when the
// message lacks X-Quarantine-ID. The error is set when the file cannot be
// read or decompressed.
func ReadAmavis(r io.Reader, name string, lim Limits) (*Message, error) {
	lim = lim.withDefaults()
	br := bufio.NewReader(r)
	if magic, _ := br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("amavis file %s: gzip: %w", name, err)
		}
		defer zr.Close()
		// Parse's MaxMessageSize bounds the decompressed bytes (gzip bombs).
		br = bufio.NewReader(zr)
	}
	envFrom := ""
	if head, _ := br.Peek(5); string(head) == "From " {
		line, err := readLine(br)
		if err != nil {
			return nil, fmt.Errorf("amavis file %s: %w", name, err)
		}
		if f := strings.Fields(line); len(f) > 1 {
			envFrom = f[1]
		}
	}
	m, err := Parse(br, lim)
	if err != nil {
		return nil, fmt.Errorf("amavis file %s: %w", name, err)
	}
	if m.Email.EnvelopeFrom == "" && envFrom != "" && envFrom != "MAILER-DAEMON" {
		m.Email.EnvelopeFrom = clip(strings.Trim(envFrom, "<>"))
	}
	if m.Email.QuarantineID == "" {
		m.Email.QuarantineID = QuarantineID(name)
	}
	return m, nil
}

// readLine reads one line of at most maxFromLine bytes (the rest of a
// longer line is discarded).
func readLine(br *bufio.Reader) (string, error) {
	var b strings.Builder
	for {
		frag, err := br.ReadSlice('\n')
		if b.Len() < maxFromLine {
			b.Write(frag[:min(len(frag), maxFromLine-b.Len())])
		}
		switch err {
		case nil, io.EOF:
			return strings.TrimRight(b.String(), "\r\n"), nil
		case bufio.ErrBufferFull:
			continue
		default:
			return "", fmt.Errorf("read mbox From line: %w", err)
		}
	}
}

// QuarantineID returns the amavis mail id from a quarantine file name
// ("virus-AbCdEf123.gz" -> "AbCdEf123"), or "" for other names.
func QuarantineID(name string) string {
	base := strings.TrimSuffix(path.Base(strings.ReplaceAll(name, `\`, "/")), ".gz")
	for _, p := range amavisPrefixes {
		if id, ok := strings.CutPrefix(base, p); ok && id != "" {
			return clip(id)
		}
	}
	return ""
}

// Rspamd request headers of the metadata_exporter HTTP backend (with
// meta_headers = true, prefix "X-Rspamd-"; table values are JSON, the
// others RFC 2047-encoded, "unknown" when rspamd does not know them).
const (
	RspamdQueueID = "X-Rspamd-Qid"
	RspamdFrom    = "X-Rspamd-From" // SMTP MAIL FROM
	RspamdRcpt    = "X-Rspamd-Rcpt" // SMTP RCPT TO, a JSON array
	RspamdSubject = "X-Rspamd-Subject"
	RspamdSymbols = "X-Rspamd-Symbols" // JSON array of {name, score, options}
	RspamdAction  = "X-Rspamd-Action"
	RspamdScore   = "X-Rspamd-Score"
)

// ApplyRspamd fills the message's metadata from the metadata_exporter's
// request headers: the queue id and the SMTP envelope override what the
// message's own headers said (rspamd saw the SMTP session); the subject
// fills in only when the message has none. get returns one header value.
func (m *Message) ApplyRspamd(get func(key string) string) {
	val := func(k string) string {
		v := strings.TrimSpace(get(k))
		if v == "" || v == "unknown" {
			return ""
		}
		if d, err := (&mime.WordDecoder{CharsetReader: wordDecoder.CharsetReader}).DecodeHeader(v); err == nil {
			v = d
		}
		return clip(v)
	}
	if v := val(RspamdQueueID); v != "" {
		m.Email.QueueID = v
	}
	if v := val(RspamdFrom); v != "" {
		m.Email.EnvelopeFrom = v
	}
	if v := strings.TrimSpace(get(RspamdRcpt)); v != "" && v != "unknown" {
		var list []string
		if err := json.Unmarshal([]byte(v), &list); err != nil {
			list = strings.Split(v, ",")
		}
		m.Email.EnvelopeTo = nil
		for _, a := range list {
			if a = strings.Trim(strings.TrimSpace(a), "<>"); a != "" && len(m.Email.EnvelopeTo) < maxAddresses {
				m.Email.EnvelopeTo = append(m.Email.EnvelopeTo, clip(a))
			}
		}
	}
	if v := val(RspamdSubject); v != "" && m.Email.Subject == "" {
		m.Email.Subject = v
	}
}

// RspamdSymbolNames returns the symbol names of an X-Rspamd-Symbols
// value (a JSON array of objects with a name), at most 100; nil when the
// value is not such JSON.
func RspamdSymbolNames(v string) []string {
	var syms []struct {
		Name string `json:"name"`
	}
	if err := json.Unmarshal([]byte(v), &syms); err != nil {
		return nil
	}
	var out []string
	for _, s := range syms {
		if s.Name != "" && len(out) < 100 {
			out = append(out, clip(s.Name))
		}
	}
	return out
}
