package api

import (
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/automaldesc/automaldesc/integrations/clamav"
)

func TestHints(t *testing.T) {
	hints := clamav.NewHints(0, 0, nil)
	srv := httptest.NewServer(Handler(Options{Engine: fakeEngine{}, Token: "tok", Hints: hints}))
	t.Cleanup(srv.Close)
	off := httptest.NewServer(Handler(Options{Engine: fakeEngine{}}))
	t.Cleanup(off.Close)

	now := time.Now().UTC().Format(time.RFC3339Nano)
	sha := strings.Repeat("ab", 32)
	good := `{"path":"/home/u/a.ps1","signature":"Test.Sig","size":73,"sha256":"` + sha + `","time":"` + now + `"}`
	tests := []struct {
		name, url, token, body string
		want                   int
	}{
		{"no token", srv.URL, "", good, 401},
		{"wrong token", srv.URL, "nope", good, 401},
		{"accepted", srv.URL, "tok", good, 202},
		{"unknown field", srv.URL, "tok", `{"path":"/a","signature":"S","time":"` + now + `","x":1}`, 400},
		{"no key", srv.URL, "tok", `{"path":"instream(local)","signature":"S","time":"` + now + `"}`, 400},
		{"not json", srv.URL, "tok", `S`, 400},
		{"too old", srv.URL, "tok", `{"path":"/a","signature":"S","time":"2001-01-01T00:00:00Z"}`, 422},
		{"too large", srv.URL, "tok", `{"path":"/` + strings.Repeat("a", clamav.MaxHintSize) + `"}`, 413},
		{"hints off", off.URL, "", good, 404},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got, body := do(t, "POST", tc.url+"/v1/hints", tc.token, tc.body); got != tc.want {
				t.Errorf("got %d, want %d: %s", got, tc.want, body)
			}
		})
	}
	if got := hints.Len(); got != 1 {
		t.Fatalf("hints held: got %d, want 1", got)
	}
	h, ok := hints.Match(clamav.File{Name: "a.ps1.001", Size: 73, SHA256: sha, Seen: time.Now()})
	if !ok || h.Signature != "Test.Sig" {
		t.Errorf("posted hint: got %q (ok=%v), want Test.Sig", h.Signature, ok)
	}
}
