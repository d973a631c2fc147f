package queue

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// FuzzEnvelope: whatever arrives on the work subject, decoding and
// validation never panic, and a valid envelope survives a round trip and
// never names a shared file outside the shared directory.
func FuzzEnvelope(f *testing.F) {
	for _, s := range []string{
		`{"v":1,"claim_id":"c","name":"a.ps1","size":3,"sha256":"x","data":"YWJj"}`,
		`{"v":1,"claim_id":"c","size":900000,"shared":"c"}`,
		`{"v":1,"claim_id":"c","reject":{"status":"skipped","reason":"symlink"}}`,
		`{"v":1,"claim_id":"c","size":5,"shared":"../../etc/passwd"}`,
		`{"v":1,"claim_id":"c","oversize":true,"size":99999999}`,
		`{"v":1,"claim_id":"c","hint_wait_ms":2000}`,
		`{"v":1,"claim_id":"c","hint_wait_ms":-9223372036854775808}`,
		`not json`, `{"v":2}`, `[]`, `null`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var e Envelope
		if err := json.Unmarshal(b, &e); err != nil {
			return
		}
		if err := e.Validate(); err != nil {
			return
		}
		if e.Shared != "" && (strings.ContainsAny(e.Shared, "/\\") || e.Shared == "..") {
			t.Fatalf("valid envelope names shared file %q", e.Shared)
		}
		if w := e.HintWait(); w < 0 || w > MaxHintWait {
			t.Fatalf("valid envelope makes a worker wait %s for a hint", w)
		}
		out, err := json.Marshal(e)
		if err != nil {
			t.Fatal(err)
		}
		var back Envelope
		if err := json.Unmarshal(out, &back); err != nil {
			t.Fatal(err)
		}
		if err := back.Validate(); err != nil {
			t.Fatalf("round trip made it invalid: %v", err)
		}
		_ = reflect.DeepEqual(e, back)
		if back.MsgID() != e.MsgID() {
			t.Fatalf("message id changed: %q -> %q", e.MsgID(), back.MsgID())
		}
	})
}
