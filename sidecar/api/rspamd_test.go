package api

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/automaldesc/automaldesc/analysis"
	"github.com/automaldesc/automaldesc/store"
	"github.com/automaldesc/automaldesc/store/sqlite"
)

// rspamdMessage is an inert message with one .js attachment and one
// refused (over MaxSize = 64 bytes) .ps1.
func rspamdMessage() string {
	js := "WScript.Echo('http://198.51.100.7/a');"
	big := strings.Repeat("Write-Output 'x'\n", 10)
	return "Message-ID: <r1@sender.example>\r\nFrom: a@sender.example\r\nSubject: test\r\n" +
		"Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nhello\r\n" +
		"--b\r\nContent-Disposition: attachment; filename=a.js\r\nContent-Transfer-Encoding: base64\r\n\r\n" + base64.StdEncoding.EncodeToString([]byte(js)) + "\r\n" +
		"--b\r\nContent-Disposition: attachment; filename=b.ps1\r\n\r\n" + big + "\r\n--b--\r\n"
}

func postRspamd(t *testing.T, url string, auth func(*http.Request), body string) (int, RspamdResponse) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url+"/v1/ingest/rspamd", strings.NewReader(body))
	req.Header.Set("Content-Type", "text/plain")
	req.Header.Set("X-Rspamd-Qid", "4AbCdEf")
	req.Header.Set("X-Rspamd-From", "bounce@sender.example")
	req.Header.Set("X-Rspamd-Rcpt", `["victim@corp.example"]`)
	req.Header.Set("X-Rspamd-Symbols", `[{"name":"MIME_BAD_EXTENSION","score":3}]`)
	if auth != nil {
		auth(req)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out RspamdResponse
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode == http.StatusOK {
		if err := json.Unmarshal(b, &out); err != nil {
			t.Fatalf("response: %v\n%s", err, b)
		}
	}
	return resp.StatusCode, out
}

// mailEngine is fakeEngine that copies the e-mail metadata like the real
// engine's newReport.
type mailEngine struct{ fakeEngine }

func (e mailEngine) Analyze(ctx context.Context, s analysis.Sample) (*analysis.Report, error) {
	r, err := e.fakeEngine.Analyze(ctx, s)
	r.Email = s.Email.Escaped()
	return r, err
}

func (e mailEngine) Reject(s analysis.Sample, st analysis.Status, reason string) *analysis.Report {
	r := e.fakeEngine.Reject(s, st, reason)
	r.Sample.Name, r.Email = s.Name, s.Email.Escaped()
	return r
}

func TestRspamdIngest(t *testing.T) {
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	srv := httptest.NewServer(Handler(Options{Store: st, Engine: mailEngine{}, Token: "s3cret", MaxSize: 64,
		Encode: func(r *analysis.Report) (store.Record, error) {
			b, _ := json.Marshal(r)
			return store.Record{ID: r.ID, SHA256: r.Sample.SHA256, Source: "api", Status: string(r.Status), Report: b}, nil
		}}))
	t.Cleanup(srv.Close)
	bearer := func(r *http.Request) { r.Header.Set("Authorization", "Bearer s3cret") }
	tests := []struct {
		name string
		auth func(*http.Request)
		want int
	}{
		{"no credentials", nil, http.StatusUnauthorized},
		{"wrong bearer", func(r *http.Request) { r.Header.Set("Authorization", "Bearer nope") }, http.StatusUnauthorized},
		{"wrong basic", func(r *http.Request) { r.SetBasicAuth("rspamd", "nope") }, http.StatusUnauthorized},
		{"bearer", bearer, http.StatusOK},
		{"basic password is the token", func(r *http.Request) { r.SetBasicAuth("rspamd", "s3cret") }, http.StatusOK},
	}
	var first []RspamdPart
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, resp := postRspamd(t, srv.URL, tc.auth, rspamdMessage())
			if code != tc.want {
				t.Fatalf("got status %d, want %d", code, tc.want)
			}
			if code != http.StatusOK {
				return
			}
			if resp.QueueID != "4AbCdEf" || resp.MessageID != "r1@sender.example" || resp.Extracted != 1 || resp.Refused != 1 || len(resp.Records) != 2 {
				t.Fatalf("got %+v, want queue id, message id, 1 extracted and 1 refused record", resp)
			}
			if resp.Records[0].Name != "a.js" || resp.Records[0].Status != "ok" || resp.Records[1].Status != "skipped" || !strings.Contains(resp.Records[1].Reason, "larger than 64") {
				t.Errorf("got records %+v, want a.js ok and b.ps1 skipped as too large", resp.Records)
			}
			if first == nil {
				first = resp.Records
			} else if first[0].ID != resp.Records[0].ID || first[1].ID != resp.Records[1].ID {
				t.Errorf("a repeated post got ids %s,%s, want the first post's %s,%s", resp.Records[0].ID, resp.Records[1].ID, first[0].ID, first[1].ID)
			}
		})
	}
	rec, err := st.GetRecord(context.Background(), first[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if rec.Source != "rspamd" {
		t.Errorf("record source: got %q, want rspamd", rec.Source)
	}
	var rep analysis.Report
	if err := json.Unmarshal(rec.Report, &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Email == nil || rep.Email.QueueID != "4AbCdEf" || rep.Email.Attachment != "a.js" || rep.Email.EnvelopeFrom != "bounce@sender.example" {
		t.Errorf("stored report email: got %+v, want queue id, attachment and envelope from", rep.Email)
	}
	all, err := st.ListRecords(context.Background(), store.Filter{Source: "rspamd"})
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 2 {
		t.Errorf("got %d rspamd records after two posts of one message, want 2", len(all))
	}
}
