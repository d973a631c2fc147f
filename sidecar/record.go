package sidecar

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/automaldesc/automaldesc/analysis"
	"github.com/automaldesc/automaldesc/store"
)

// recordNamespace is the UUIDv5 namespace of the ids of records written
// for queue items.
var recordNamespace = uuid.MustParse("d2b6f1e4-0c57-5a39-8e21-736964656361")

// ItemRecordID is the id of the record of a queue item. It is a function
// of the item id alone, so an item analysed twice (a lease that expired, a
// crash after Complete but before the staged file was removed) still leaves
// exactly one record, and every drop of the same content gets a record of
// its own (the report's content id, analysis.RecordID, would merge them).
func ItemRecordID(itemID string) string {
	return uuid.NewSHA1(recordNamespace, []byte("item:"+itemID)).String()
}

// NewRecord builds the store record of a report.
func NewRecord(r *analysis.Report, itemID, source, signature string) (store.Record, error) {
	b, err := json.Marshal(r)
	if err != nil {
		return store.Record{}, fmt.Errorf("record %s: encode report: %w", r.ID, err)
	}
	return store.Record{
		ID:           r.ID,
		ItemID:       itemID,
		SHA256:       r.Sample.SHA256,
		Source:       source,
		Signature:    signature,
		Name:         r.Sample.Name,
		Path:         r.Sample.Path,
		Status:       string(r.Status),
		Label:        r.Verdict.Label.String(),
		Language:     r.Language.Language.String(),
		Score:        r.Verdict.Score,
		RulesVersion: r.Engine.RulesVersion,
		ModelVersion: r.Engine.ModelVersion,
		CreatedAt:    time.Now().UTC(),
		Report:       b,
	}, nil
}

// DecodeReport parses a record's report JSON.
func DecodeReport(rec store.Record) (*analysis.Report, error) {
	var r analysis.Report
	if err := json.Unmarshal(rec.Report, &r); err != nil {
		return nil, fmt.Errorf("record %s: decode report: %w", rec.ID, err)
	}
	return &r, nil
}

// EncodeECS renders a record as one ECS JSON document (no newline).
func EncodeECS(rec store.Record) ([]byte, error) {
	r, err := DecodeReport(rec)
	if err != nil {
		return nil, err
	}
	d := ECS(r)
	d.Automaldesc.DuplicateOf = rec.DuplicateOf
	if rec.Supersedes != "" {
		d.Event.ID = rec.ID
		d.Event.Action = "update"
		d.Automaldesc.Supersedes = rec.Supersedes
	}
	return json.Marshal(d)
}
