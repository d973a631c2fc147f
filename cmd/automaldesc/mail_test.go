package main

import (
	"archive/zip"
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Inert mail fixtures: TEST-NET addresses and .example/.invalid names.
const (
	mailJS  = "var sh = new ActiveXObject(\"WScript.Shell\");\nsh.Run(\"cmd /c echo http://198.51.100.7/invoice.invalid\", 0, false);\n"
	mailVBS = "Set sh = CreateObject(\"WScript.Shell\")\nsh.Run \"cmd /c echo http://203.0.113.9/r.invalid\", 0, False\n"
)

func mailB64(b []byte) string {
	s := base64.StdEncoding.EncodeToString(b)
	var out strings.Builder
	for len(s) > 76 {
		out.WriteString(s[:76] + "\n")
		s = s[76:]
	}
	return out.String() + s
}

func mailZip(t *testing.T, name string, body []byte, encrypted bool) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	if encrypted {
		w, err := zw.CreateRaw(&zip.FileHeader{Name: "locked.js", Method: zip.Store, Flags: 0x1, CompressedSize64: 12, UncompressedSize64: 12})
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte("0123456789ab"))
	}
	w, err := zw.Create(name)
	if err != nil {
		t.Fatal(err)
	}
	w.Write(body)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// amavisFile is a quarantine file as amavisd-new writes it.
func amavisFile(qid, queue string, attachments ...[3]string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "From billing@sender.example  Tue Jan  2 10:00:01 2024\nX-Envelope-From: <billing@sender.example>\nX-Envelope-To: <victim@corp.example>\nX-Quarantine-ID: <%s>\n", qid)
	fmt.Fprintf(&b, "Received: from mx.example by gw.example (Postfix) with ESMTP id %s for <victim@corp.example>; Tue, 2 Jan 2024 10:00:00 +0000\n", queue)
	b.WriteString("Message-ID: <" + qid + "@sender.example>\nFrom: Billing <billing@sender.example>\nTo: victim@corp.example\nSubject: Invoice\nDate: Tue, 2 Jan 2024 10:00:00 +0000\n")
	b.WriteString("MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"qq\"\n\n--qq\nContent-Type: text/plain\n\nPlease see attached.\n")
	for _, a := range attachments {
		fmt.Fprintf(&b, "--qq\nContent-Type: %s\nContent-Disposition: attachment; filename=\"%s\"\nContent-Transfer-Encoding: base64\n\n%s\n", a[1], a[0], mailB64([]byte(a[2])))
	}
	b.WriteString("--qq--\n")
	return b.String()
}

func TestWatchAmavisQuarantine(t *testing.T) {
	dir := t.TempDir()
	e := watchEnv{dir: dir, quarantine: filepath.Join(dir, "amavis"), staging: filepath.Join(dir, "staging"),
		ndjson: filepath.Join(dir, "alerts.ndjson"), config: filepath.Join(dir, "config.yaml")}
	cfg := fmt.Sprintf(`watch:
  folders:
    - path: %q
      source: amavis
      format: amavis
      recursive: true
  staging: %q
  settle: 200ms
  workers: 2
  shutdown_timeout: 5s
sinks:
  ndjson:
    path: %q
api:
  listen: 127.0.0.1:0
store:
  path: %q
`, e.quarantine, e.staging, e.ndjson, filepath.Join(dir, "db.sqlite"))
	if err := os.MkdirAll(e.quarantine, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(e.config, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	p := startWatch(t, e)

	plain := amavisFile("a1B2c3D4", "4QwErT01",
		[3]string{"invoice.js", "application/javascript", mailJS},
		[3]string{"docs.zip", "application/zip", string(mailZip(t, "docs/run.vbs", []byte(mailVBS), false))})
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(amavisFile("Zz9yX8wV", "5AsDfG02", [3]string{"locked.zip", "application/zip", string(mailZip(t, "open.js", []byte(mailJS+"// second\n"), true))})))
	zw.Close()
	write(t, e.quarantine, "a/virus-a1B2c3D4", plain)
	write(t, e.quarantine, "Z/spam-Zz9yX8wV.gz", gz.String())

	// 2 messages -> 2 message records + invoice.js, docs/run.vbs, open.js
	// and the refused locked.js.
	var recs []apiRecord
	waitFor(t, 30*time.Second, "6 records", func() bool {
		recs = apiRecords(t, p.api, "")
		return len(recs) >= 6
	})
	time.Sleep(300 * time.Millisecond)
	recs = apiRecords(t, p.api, "")
	if len(recs) != 6 {
		t.Fatalf("got %d records, want 6: %+v", len(recs), recs)
	}
	byName := map[string]apiRecord{}
	for _, r := range recs {
		byName[r.Name] = r
	}
	for _, tc := range []struct{ name, status string }{
		{"virus-a1B2c3D4", "skipped"}, {"spam-Zz9yX8wV.gz", "skipped"},
		{"invoice.js", "ok"}, {"run.vbs", "ok"}, {"open.js", "ok"}, {"locked.js", "skipped"},
	} {
		r, ok := byName[tc.name]
		if !ok {
			t.Errorf("no record named %s in %+v", tc.name, recs)
			continue
		}
		if r.Status != tc.status {
			t.Errorf("%s: got status %s, want %s", tc.name, r.Status, tc.status)
		}
	}
	// The part's report carries the e-mail metadata.
	resp, err := http.Get(p.api + "/v1/records/" + byName["run.vbs"].ID)
	if err != nil {
		t.Fatal(err)
	}
	var full struct {
		Report struct {
			Email struct {
				MessageID    string `json:"message_id"`
				QueueID      string `json:"queue_id"`
				QuarantineID string `json:"quarantine_id"`
				Attachment   string `json:"attachment"`
				ArchivePath  string `json:"archive_path"`
				EnvelopeFrom string `json:"envelope_from"`
			} `json:"email"`
		} `json:"report"`
	}
	err = json.NewDecoder(resp.Body).Decode(&full)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	em := full.Report.Email
	if em.MessageID != "a1B2c3D4@sender.example" || em.QueueID != "4QwErT01" || em.QuarantineID != "a1B2c3D4" ||
		em.Attachment != "docs.zip" || em.ArchivePath != "docs/run.vbs" || em.EnvelopeFrom != "billing@sender.example" {
		t.Errorf("got email %+v, want the message, queue, quarantine ids, docs.zip and docs/run.vbs", em)
	}
	if !strings.Contains(byName["virus-a1B2c3D4"].Path, "virus-a1B2c3D4") {
		t.Errorf("message record path %q, want the quarantine file", byName["virus-a1B2c3D4"].Path)
	}
	waitFor(t, 10*time.Second, "6 NDJSON lines", func() bool { return len(readNDJSON(t, e.ndjson)) == 6 })
	if code, _ := p.stop(syscall.SIGTERM, 15*time.Second); code != 0 {
		t.Errorf("exit code %d after SIGTERM", code)
	}
	// Staged messages are removed once their records are stored.
	if left, _ := os.ReadDir(e.staging); len(left) != 0 {
		t.Errorf("staging still holds %d files", len(left))
	}
}
