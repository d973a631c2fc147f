package api

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"net/http"
	"strings"

	"github.com/automaldesc/automaldesc/analysis"
	"github.com/automaldesc/automaldesc/integrations/mail"
)

// MaxRspamdBody is the largest message POST /v1/ingest/rspamd accepts.
const MaxRspamdBody = 64 << 20

// rspamdConcurrency caps the messages expanded at once (each may hold up
// to the message size plus the archive budget in memory).
const rspamdConcurrency = 2

// RspamdPart is one record written for a part of a posted message.
type RspamdPart struct {
	ID          string  `json:"id"`
	Name        string  `json:"name"`
	Part        string  `json:"part"`
	ArchivePath string  `json:"archive_path,omitempty"`
	Status      string  `json:"status"`
	Reason      string  `json:"reason,omitempty"`
	Label       string  `json:"label"`
	Language    string  `json:"language"`
	Score       float64 `json:"score"`
}

// RspamdResponse is the answer of POST /v1/ingest/rspamd.
type RspamdResponse struct {
	MessageID string       `json:"message_id,omitempty"`
	QueueID   string       `json:"queue_id,omitempty"`
	Extracted int          `json:"extracted"`
	Refused   int          `json:"refused"`
	Ignored   int          `json:"ignored"`
	Problems  []string     `json:"problems,omitempty"`
	Records   []RspamdPart `json:"records"`
}

// authBasicToo is auth that also accepts HTTP Basic credentials whose
// password is the token: rspamd's metadata_exporter can send user and
// password, not a bearer token.
func (h *handler) authBasicToo(next http.Handler) http.Handler {
	bearer := h.auth(next)
	if h.opt.Token == "" {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, pw, ok := r.BasicAuth(); ok {
			sum := sha256.Sum256([]byte(pw))
			if subtle.ConstantTimeCompare(sum[:], h.tokenHash[:]) == 1 {
				next.ServeHTTP(w, r)
				return
			}
			w.Header().Set("WWW-Authenticate", `Basic realm="automaldesc"`)
			writeError(w, http.StatusUnauthorized, "wrong credentials")
			return
		}
		bearer.ServeHTTP(w, r)
	})
}

// hashingReader digests what is read through it.
type hashingReader struct {
	r io.Reader
	h hash.Hash
}

func (t *hashingReader) Read(p []byte) (int, error) {
	n, err := t.r.Read(p)
	t.h.Write(p[:n])
	return n, err
}

// rspamd returns the handler of POST /v1/ingest/rspamd: the raw message as
// rspamd's metadata_exporter HTTP backend posts it (formatter "default",
// meta_headers = true for the X-Rspamd-* headers). Each script attachment
// is analysed and stored; refusals are stored as skipped records. Record
// ids derive from the message's sha256 and the part path, so a message
// rspamd posts again (a retry) maps to the same records.
func (h *handler) rspamd() http.Handler {
	sem := make(chan struct{}, rspamdConcurrency)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case sem <- struct{}{}:
			defer func() { <-sem }()
		case <-r.Context().Done():
			return
		}
		body := &hashingReader{r: http.MaxBytesReader(w, r.Body, MaxRspamdBody), h: sha256.New()}
		m, err := mail.Parse(body, mail.Limits{MaxMessageSize: MaxRspamdBody, MaxAttachmentSize: h.opt.MaxSize})
		if err == nil {
			_, err = io.Copy(io.Discard, body) // the digest covers the whole body
		}
		if err != nil {
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				writeError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("message over %d bytes", MaxRspamdBody))
				return
			}
			writeError(w, http.StatusBadRequest, "cannot read the message")
			return
		}
		m.ApplyRspamd(r.Header.Get)
		key := "rspamd:" + hex.EncodeToString(body.h.Sum(nil))
		resp := RspamdResponse{MessageID: m.Email.MessageID, QueueID: m.Email.QueueID, Extracted: m.Extracted(),
			Refused: len(m.Parts) - m.Extracted(), Ignored: m.Ignored, Problems: m.Problems, Records: []RspamdPart{}}
		for _, part := range m.Parts {
			s := m.Sample(part, "rspamd", "")
			var rep *analysis.Report
			if part.Skipped != "" {
				rep = h.opt.Engine.Reject(s, analysis.StatusSkipped, part.Skipped)
			} else {
				rep, err = h.opt.Engine.Analyze(r.Context(), s)
				if err != nil && r.Context().Err() != nil {
					return // client went away; a retry maps to the same ids
				}
			}
			rep.ID = mail.PartRecordID(key, part.Path)
			if h.opt.Encode != nil {
				rec, err := h.opt.Encode(rep)
				if err == nil {
					rec.Source = "rspamd"
					_, err = h.opt.Store.PutRecord(r.Context(), rec)
				}
				if err != nil {
					h.log.Error("store rspamd part record", "err", err)
					writeError(w, http.StatusInternalServerError, "cannot store the records")
					return
				}
				h.opt.Recorded()
			}
			resp.Records = append(resp.Records, RspamdPart{ID: rep.ID, Name: rep.Sample.Name, Part: part.Path, ArchivePath: part.ArchivePath,
				Status: string(rep.Status), Reason: rep.Reason, Label: rep.Verdict.Label.String(), Language: rep.Language.Language.String(), Score: rep.Verdict.Score})
		}
		if len(resp.Records) > 0 || len(m.Problems) > 0 {
			h.log.Info("rspamd message ingested", "queue_id", strings.ToValidUTF8(m.Email.QueueID, "?"), "records", len(resp.Records), "ignored", m.Ignored)
		}
		writeJSON(w, http.StatusOK, resp)
	})
}
