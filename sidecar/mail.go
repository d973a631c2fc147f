package sidecar

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/automaldesc/automaldesc/analysis"
	"github.com/automaldesc/automaldesc/config"
	"github.com/automaldesc/automaldesc/integrations/mail"
	"github.com/automaldesc/automaldesc/store"
)

// Mail quarantine folders (watch.folders[].format: amavis)
//
// A file of such a folder is an e-mail message (an amavisd-new
// quarantine file). It is claimed like any file (one queue item, staged
// under the item id); the worker then expands it: every script
// attachment (and script inside an attached ZIP) becomes a sample of its
// own and gets its own record, with the e-mail metadata in report.email;
// every refusal (too large, encrypted, zip bomb, too deep) gets a skipped
// record. The message itself is not analysed as a script: its item is
// completed with a skipped record (id ItemRecordID(item id), as for any
// item) whose reason summarises the expansion.
//
// Part records have deterministic ids, mail.PartRecordID(item id, part
// path), and are stored with PutRecord (idempotent by id) BEFORE the
// message's Complete. A crash or an expired lease midway leaves the item
// pending and the staged file in place; the next lease re-reads the
// message, computes the same part paths and ids, skips the parts already
// stored and stores the rest, then completes the item. So every part
// ends with exactly one record and the message with one, whatever step a
// crash interrupts; the recovery and watcher logic, which look only at
// ItemRecordID, work unchanged.

// mailFolders returns the folders (as configured, watch.MetaFolder) whose
// files are amavis quarantine messages.
func mailFolders(fs []config.WatchFolder) map[string]bool {
	out := map[string]bool{}
	for _, f := range fs {
		if f.Format == config.FormatAmavis {
			out[f.Path] = true
		}
	}
	return out
}

// maxListedIDs caps the part record ids named in the message's reason.
const maxListedIDs = 20

// expandMail turns the claimed message at target into part records and
// sets j.report to the message's own record. On shutdown or a store
// failure it returns with j.report nil: the item stays leased and is
// redone, without duplicates.
func (p *pool) expandMail(ctx context.Context, j *job, target string, s analysis.Sample) {
	it := j.item
	f, err := os.Open(target)
	if err != nil {
		j.report = p.eng.Reject(s, analysis.StatusError, fmt.Sprintf("open: %v", unwrapPath(err)))
		return
	}
	m, err := mail.ReadAmavis(f, filepath.Base(s.Path), mail.Limits{MaxAttachmentSize: p.maxSize})
	f.Close()
	if err != nil {
		j.report = p.eng.Reject(s, analysis.StatusError, fmt.Sprintf("mail message unreadable: %v", err))
		return
	}
	var ids []string
	for _, part := range m.Parts {
		id := mail.PartRecordID(it.ID, part.Path)
		ids = append(ids, id)
		if _, err := p.st.GetRecord(ctx, id); err == nil {
			continue // stored before a crash or by an earlier lease
		} else if !errors.Is(err, store.ErrNotFound) {
			p.storeFailed(ctx, it, err)
			return
		}
		ps := m.Sample(part, s.Source, s.Signature)
		ps.Path = s.Path + "#" + part.Path
		var rep *analysis.Report
		dupOf, fresh := "", false
		switch {
		case part.Skipped != "":
			rep = p.eng.Reject(ps, analysis.StatusSkipped, part.Skipped)
		default:
			h := analysis.HashBytes(ps.Data)
			ps.Hashes = &h
			if r, d, ok := p.dedupe(ctx, ps); ok {
				rep, dupOf = r, d
				p.m.dedupes.Inc()
				break
			}
			r, err := p.eng.Analyze(ctx, ps)
			if err != nil && ctx.Err() != nil {
				return // shutdown: redo after restart
			}
			if err != nil {
				p.m.errors.Inc("analysis")
			}
			rep, fresh = r, true
		}
		rep.Email = ps.Email.Escaped() // a reused (dedupe) report carries the earlier message's
		rep.ID = id
		rec, err := NewRecord(rep, it.ID, it.Source, it.Signature)
		if err != nil {
			p.m.errors.Inc("encode")
			p.log.Error("encode record", "item", it.ID, "part", part.Path, "err", err)
			return
		}
		rec.DuplicateOf = dupOf
		stored, err := p.st.PutRecord(ctx, rec)
		if err != nil {
			p.storeFailed(ctx, it, err)
			return
		}
		p.m.processed.Inc(stored.Status)
		if fresh {
			p.m.observeTimings(rep.Timings)
		}
		p.recorded()
	}
	reason := m.Summary()
	if len(ids) > 0 {
		shown := ids[:min(len(ids), maxListedIDs)]
		reason += "; part records: " + strings.Join(shown, ", ")
		if len(ids) > len(shown) {
			reason += fmt.Sprintf(" and %d more", len(ids)-len(shown))
		}
	}
	ms := s
	e := m.Email
	ms.Email = &e
	j.report = p.eng.Reject(ms, analysis.StatusSkipped, reason)
	p.log.Debug("mail message expanded", "item", it.ID, "parts", len(m.Parts), "extracted", m.Extracted(), "ignored", m.Ignored)
}

func (p *pool) storeFailed(ctx context.Context, it store.Item, err error) {
	if ctx.Err() == nil {
		p.m.errors.Inc("store")
		p.log.Error("store part record; the message is retried when its lease expires", "item", it.ID, "err", err)
	}
}
