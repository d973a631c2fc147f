package ui

import (
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestSafeNext(t *testing.T) {
	tests := []struct{ in, want string }{
		{"/ui/records/abc", "/ui/records/abc"},
		{"/ui/?label=malicious&q=x", "/ui/?label=malicious&q=x"},
		{"", "/ui/"},
		{"//evil.example/ui/", "/ui/"},
		{"https://evil.example/ui/", "/ui/"},
		{"/ui//evil.example", "/ui/"},
		{"/ui/\\evil", "/ui/"},
		{"/ui/\r\nSet-Cookie: x", "/ui/"},
		{"/v1/records", "/ui/"},
		{"/ui/" + strings.Repeat("a", 3000), "/ui/"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := safeNext(tt.in); got != tt.want {
				t.Errorf("safeNext(%q): got %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestSessions(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	clock := func() time.Time { return now }
	t.Run("expiry", func(t *testing.T) {
		s := newSessions(10, time.Hour, clock)
		sess, v := s.create(true)
		if got := s.get(v); got != sess {
			t.Fatalf("get: got %v, want the session", got)
		}
		if s.get(v+"x") != nil || s.get("") != nil {
			t.Errorf("get of a wrong cookie returned a session")
		}
		now = now.Add(time.Hour)
		if s.get(v) != nil {
			t.Errorf("expired session still valid")
		}
	})
	t.Run("eviction prefers anonymous sessions", func(t *testing.T) {
		s := newSessions(3, time.Hour, clock)
		_, authed := s.create(true)
		now = now.Add(time.Second)
		for range 10 {
			s.create(false)
			now = now.Add(time.Second)
		}
		if len(s.m) != 3 {
			t.Errorf("sessions: got %d, want the cap 3", len(s.m))
		}
		if s.get(authed) == nil {
			t.Errorf("a flood of anonymous sessions evicted the logged-in one")
		}
	})
	t.Run("csrf", func(t *testing.T) {
		s := newSessions(3, time.Hour, clock)
		a, _ := s.create(true)
		b, _ := s.create(true)
		if !a.validCSRF(a.csrf) || a.validCSRF(b.csrf) || a.validCSRF("") || a.csrf == b.csrf || len(a.csrf) < 40 {
			t.Errorf("CSRF tokens are not per-session secrets")
		}
	})
}

func TestTechniqueLink(t *testing.T) {
	tests := []struct{ id, want string }{
		{"T1059.001", "https://attack.mitre.org/techniques/T1059/001/"},
		{"T1105", "https://attack.mitre.org/techniques/T1105/"},
		{"javascript:alert(1)", ""},
		{"T1059.001/../../x", ""},
		{"t1059", ""},
	}
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			if got := technique(tt.id, "").URL; got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// FuzzListForm: any query string parses without panicking, and a rejected
// value is never echoed in the error.
func FuzzListForm(f *testing.F) {
	for _, s := range []string{"", "label=malicious&n=10", "q=%3Cscript%3E&range=7d", "from=2026-01-01&to=2026-02-01",
		"before=12&after=3", "language=cobol", "n=-1", "status=%00"} {
		f.Add(s)
	}
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	f.Fuzz(func(t *testing.T, s string) {
		q, err := url.ParseQuery(s)
		if err != nil {
			return
		}
		lf, filter, err := parseListForm(q, now)
		if err != nil {
			if strings.ContainsAny(err.Error(), "<>\"") {
				t.Errorf("error %q echoes input", err)
			}
			return
		}
		if lf.N < 1 || lf.N > 500 || lf.Before < 0 || lf.After < 0 || len(filter.Query) > maxQuery {
			t.Errorf("accepted out-of-range form %+v", lf)
		}
		_ = lf.values().Encode()
	})
}
