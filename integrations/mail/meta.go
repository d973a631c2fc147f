package mail

import (
	"regexp"
	"strings"
	"time"

	"github.com/emersion/go-message"
	gomail "github.com/emersion/go-message/mail"

	"github.com/automaldesc/automaldesc/analysis"
	"github.com/automaldesc/automaldesc/analysis/charset"
)

// maxAddresses caps the recipients kept per list.
const maxAddresses = 100

// maxHeaderValue caps one metadata value.
const maxHeaderValue = 1024

// headerInfo reads the message-level metadata from the top-level header.
func headerInfo(h message.Header) analysis.EmailInfo {
	mh := gomail.Header{Header: h}
	var e analysis.EmailInfo
	if id, err := mh.MessageID(); err == nil && id != "" {
		e.MessageID = clip(id)
	} else {
		e.MessageID = clip(strings.Trim(strings.TrimSpace(h.Get("Message-Id")), "<>"))
	}
	e.From = firstOr(addresses(mh, "From"), text(h, "From"))
	e.To = addresses(mh, "To")
	if len(e.To) == 0 && h.Has("To") {
		e.To = []string{text(h, "To")}
	}
	e.Subject = text(h, "Subject")
	if h.Has("Date") {
		if t, err := mh.Date(); err == nil {
			e.Date = t.UTC().Format(time.RFC3339)
		} else {
			e.Date = text(h, "Date")
		}
	}
	e.QueueID = queueID(h)
	e.EnvelopeFrom = clip(strings.Trim(strings.TrimSpace(firstNonEmpty(h.Get("X-Envelope-From"), h.Get("Return-Path"))), "<>"))
	for _, f := range h.Values("X-Envelope-To") {
		for _, a := range strings.Split(f, ",") {
			if a = strings.Trim(strings.TrimSpace(a), "<>"); a != "" && len(e.EnvelopeTo) < maxAddresses {
				e.EnvelopeTo = append(e.EnvelopeTo, clip(a))
			}
		}
	}
	e.QuarantineID = clip(strings.Trim(strings.TrimSpace(h.Get("X-Quarantine-Id")), "<>"))
	return e
}

func clip(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if len(s) > maxHeaderValue {
		s = cleanName(s[:maxHeaderValue])
	}
	return s
}

func firstNonEmpty(v ...string) string {
	for _, s := range v {
		if strings.TrimSpace(s) != "" {
			return s
		}
	}
	return ""
}

func firstOr(list []string, def string) string {
	if len(list) > 0 {
		return list[0]
	}
	return def
}

// text returns a header field decoded (RFC 2047), unfolded and clipped.
func text(h message.Header, k string) string {
	v, err := h.Text(k)
	if err != nil {
		v = h.Get(k)
	}
	return clip(strings.Join(strings.Fields(v), " "))
}

// addresses parses an address list as "Name <addr>" or "addr".
func addresses(h gomail.Header, k string) []string {
	list, err := h.AddressList(k)
	if err != nil {
		return nil
	}
	var out []string
	for _, a := range list {
		if len(out) == maxAddresses {
			break
		}
		s := a.Address
		if a.Name != "" {
			s = a.Name + " <" + a.Address + ">"
		}
		out = append(out, clip(s))
	}
	return out
}

// receivedID finds "id <queue id>" in a Received header ("with ESMTP id
// 4AbC12xyz"), the MTA's queue id.
var receivedID = regexp.MustCompile(`(?i)\bid\s+<?([A-Za-z0-9][A-Za-z0-9._\-]{3,63})>?`)

// queueID returns the queue id: rspamd's X-Rspamd-Queue-Id, amavis's or
// the MTA's explicit headers, else the id of the newest Received header.
func queueID(h message.Header) string {
	for _, k := range []string{"X-Rspamd-Queue-Id", "X-Queue-Id", "X-Postfix-Queue-Id", "X-Amavis-Queue-Id"} {
		if v := strings.TrimSpace(h.Get(k)); v != "" {
			return clip(v)
		}
	}
	for _, r := range h.Values("Received") {
		// The "for <rcpt>" clause and the date follow the id; cut at ';'.
		r, _, _ = strings.Cut(r, ";")
		if m := receivedID.FindStringSubmatch(r); m != nil {
			return m[1]
		}
	}
	return ""
}

// decodeText returns the text of up to sniffBytes of data, or an error
// for binary data.
func decodeText(data []byte) (string, error) {
	if len(data) > sniffBytes {
		data = data[:sniffBytes]
	}
	text, _, err := charset.Decode(data)
	if err != nil {
		return "", errNotText
	}
	return text, nil
}

// sniffBytes is the prefix inspected to recognise a script by content
// (lang.Identify reads at most 64 KiB of text).
const sniffBytes = 64 << 10
