package ui_test

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/automaldesc/automaldesc/sidecar"
	"github.com/automaldesc/automaldesc/sidecar/ui"
	"github.com/automaldesc/automaldesc/store"
)

const supersededNotice = "An enriched analysis of this sample supersedes this record"

// putUpdate stores an update record of orig (the enriched analysis the
// LLM updater stores) with the given id.
func putUpdate(t *testing.T, st store.Store, orig store.Record, id, label string) store.Record {
	t.Helper()
	upd := orig
	upd.Seq, upd.ID, upd.Supersedes, upd.Label = 0, id, orig.ID, label
	upd, err := st.PutRecord(context.Background(), upd)
	if err != nil {
		t.Fatalf("PutRecord(%s): %v", id, err)
	}
	return upd
}

func TestSupersedes(t *testing.T) {
	f := newFixture(t)
	upd1 := putUpdate(t, f.st, f.cradle, sidecar.UpdateID(f.cradle.ID, "llm:v1"), "suspicious")
	upd2 := putUpdate(t, f.st, f.cradle, sidecar.UpdateID(f.cradle.ID, "llm:v2"), "malicious") // newest
	// Ids no UI link may carry (the store accepts any text): an update
	// with a hostile id, and an update of a hostile id.
	hand0, hand1 := f.all[0], f.all[1]
	putUpdate(t, f.st, hand0, `x"><script>alert(1)</script>`, "benign")
	badRef := hand1
	badRef.Supersedes = `../../v1/records?<img src=x onerror=alert(1)>`
	badRef.Seq, badRef.ID = 0, "hand-1-bad-ref"
	if _, err := f.st.PutRecord(context.Background(), badRef); err != nil {
		t.Fatal(err)
	}
	c := newClient(t, newServer(t, f.st, ""))
	href := func(id string) string { return `href="/ui/records/` + id + `"` }
	tests := []struct {
		name   string
		id     string
		want   []string
		absent []string
	}{
		{"original links its newest update", f.cradle.ID,
			[]string{`id="superseded-by"`, supersededNotice, href(upd2.ID), `<dt>Updated by</dt>`},
			[]string{`id="supersedes"`, href(upd1.ID)}},
		{"update links back to the original", upd1.ID,
			[]string{`id="supersedes"`, href(f.cradle.ID), `<dt>Updates</dt>`},
			[]string{`id="superseded-by"`, supersededNotice}},
		{"newest update", upd2.ID,
			[]string{`id="supersedes"`, href(f.cradle.ID)},
			[]string{`id="superseded-by"`, href(upd1.ID)}},
		{"record without updates", f.hostile.ID, nil,
			[]string{`id="superseded-by"`, `id="supersedes"`, `<dt>Updates</dt>`, `<dt>Updated by</dt>`}},
		{"update with an id no link may carry", hand0.ID, nil,
			[]string{`id="superseded-by"`, supersededNotice, "<script>alert(1)</script>", `x%22`}},
		{"update of an id no link may carry", badRef.ID, nil,
			[]string{`id="supersedes"`, "<img", "onerror=alert(1)&gt;", "v1/records"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := c.get("/ui/records/" + tc.id)
			if r.status != http.StatusOK {
				t.Fatalf("GET %s: got status %d, want 200", tc.id, r.status)
			}
			for _, want := range tc.want {
				if !strings.Contains(r.body, want) {
					t.Errorf("page of %s lacks %q", tc.id, want)
				}
			}
			for _, bad := range tc.absent {
				if strings.Contains(r.body, bad) {
					t.Errorf("page of %s has %q, want none", tc.id, bad)
				}
			}
			for name, re := range map[string]*regexp.Regexp{"style attribute": styleAttrRE, "event handler": onAttrRE,
				"javascript: URL": jsURLAttrRE, "style element": styleTagRE} {
				if m := re.FindString(r.body); m != "" {
					t.Errorf("page has a %s: %q", name, m)
				}
			}
		})
	}

	t.Run("list marks update records", func(t *testing.T) {
		r := c.get("/ui/?q=" + f.cradle.SHA256)
		rows := regexp.MustCompile(`(?s)<tr data-seq="(\d+)">(.*?)</tr>`).FindAllStringSubmatch(r.body, -1)
		got := map[string]bool{}
		for _, m := range rows {
			got[m[1]] = strings.Contains(m[2], `<span class="lbl lbl-update"`)
		}
		want := map[string]bool{seqString(f.cradle): false, seqString(upd1): true, seqString(upd2): true}
		if len(got) != len(want) {
			t.Fatalf("rows: got %v, want %v", got, want)
		}
		for seq, badge := range want {
			if got[seq] != badge {
				t.Errorf("row %s: got update badge %v, want %v", seq, got[seq], badge)
			}
		}
	})
}

func seqString(r store.Record) string { return strconv.FormatInt(r.Seq, 10) }

// failingLists is a store whose ListRecords fails.
type failingLists struct{ store.Store }

func (failingLists) ListRecords(context.Context, store.Filter) ([]store.Record, error) {
	return nil, errors.New("list: database is locked")
}

// A failed lookup of the superseding record is logged and the page still
// shows the record, without the notice.
func TestSupersededByLookupFails(t *testing.T) {
	f := newFixture(t)
	putUpdate(t, f.st, f.cradle, sidecar.UpdateID(f.cradle.ID, "llm:v1"), "suspicious")
	var logs strings.Builder
	h := ui.Handler(ui.Options{Store: failingLists{f.st}, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/ui/records/"+f.cradle.ID, nil))
	if w.Code != http.StatusOK {
		t.Fatalf("got status %d, want 200", w.Code)
	}
	if body := w.Body.String(); strings.Contains(body, `id="superseded-by"`) || !strings.Contains(body, f.cradle.SHA256) {
		t.Errorf("page: got notice %v, record shown %v; want the record without the notice",
			strings.Contains(body, `id="superseded-by"`), strings.Contains(body, f.cradle.SHA256))
	}
	if !strings.Contains(logs.String(), "ui find superseding record") {
		t.Errorf("log: got %q, want the failed lookup", logs.String())
	}
}
