package sidecar

import (
	"context"
	"encoding/base64"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"testing"

	"github.com/automaldesc/automaldesc/config"
	"github.com/automaldesc/automaldesc/integrations/mail"
	"github.com/automaldesc/automaldesc/sidecar/metrics"
	"github.com/automaldesc/automaldesc/sidecar/watch"
	"github.com/automaldesc/automaldesc/store"
	"github.com/automaldesc/automaldesc/store/sqlite"
)

// crashingStore fails every PutRecord after the first n: a process that
// dies midway through a message.
type crashingStore struct {
	store.Store
	n int
}

func (c *crashingStore) PutRecord(ctx context.Context, rec store.Record) (store.Record, error) {
	if c.n == 0 {
		return store.Record{}, errors.New("simulated crash")
	}
	c.n--
	return c.Store.PutRecord(ctx, rec)
}

func TestExpandMailCrashSafe(t *testing.T) {
	dir := t.TempDir()
	st, err := sqlite.Open(context.Background(), filepath.Join(dir, "db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	att := func(name, body string) string {
		return "--b\nContent-Disposition: attachment; filename=" + name + "\nContent-Transfer-Encoding: base64\n\n" +
			base64.StdEncoding.EncodeToString([]byte(body)) + "\n"
	}
	msg := "From a@sender.example Tue Jan  2 10:00:01 2024\nX-Quarantine-ID: <q1>\nMessage-ID: <m@sender.example>\nContent-Type: multipart/mixed; boundary=b\n\n" +
		att("a.js", "WScript.Echo('198.51.100.1');") + att("b.vbs", "WScript.Echo \"203.0.113.1\"") + att("c.ps1", "Write-Output 'x'") + "--b--\n"
	path := filepath.Join(dir, "virus-q1")
	if err := os.WriteFile(path, []byte(msg), 0o600); err != nil {
		t.Fatal(err)
	}
	folder := config.WatchFolder{Path: dir, Source: "amavis", Format: config.FormatAmavis}
	it := store.Item{ID: "item-mail", Path: path, Name: "virus-q1", Source: "amavis", Size: int64(len(msg)),
		Meta: map[string]string{watch.MetaFolder: dir, watch.MetaMode: watch.ModeReadOnly, watch.MetaOrigPath: path}}
	if _, err := st.Enqueue(context.Background(), it); err != nil {
		t.Fatal(err)
	}
	run := func(s store.Store) {
		p := &pool{st: s, eng: hintEngine{}, log: slog.New(slog.DiscardHandler), m: newSidecarMetrics(metrics.New()),
			maxSize: 1 << 20, staging: dir, mailFolders: mailFolders([]config.WatchFolder{folder}), recorded: func() {}}
		p.process(context.Background(), it)
	}
	count := func() []store.Record {
		recs, err := st.ListRecords(context.Background(), store.Filter{})
		if err != nil {
			t.Fatal(err)
		}
		return recs
	}
	run(&crashingStore{Store: st, n: 1}) // stores a.js, "crashes" on b.vbs
	if got := count(); len(got) != 1 {
		t.Fatalf("after the crash: got %d records, want 1", len(got))
	}
	if _, err := st.GetRecord(context.Background(), ItemRecordID(it.ID)); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("after the crash the message record exists (err %v); the item must stay pending", err)
	}
	first := count()[0]
	run(st) // redo after the restart
	run(st) // an expired lease: a second worker does it again
	recs := count()
	if len(recs) != 4 {
		t.Fatalf("got %d records, want 3 parts + 1 message", len(recs))
	}
	want := map[string]bool{ItemRecordID(it.ID): true}
	for _, p := range []string{"1", "2", "3"} {
		want[mail.PartRecordID(it.ID, p)] = true
	}
	for _, r := range recs {
		if !want[r.ID] {
			t.Errorf("unexpected record id %s (%s)", r.ID, r.Name)
		}
		if r.ID == first.ID && r.Seq != first.Seq {
			t.Errorf("the part stored before the crash was stored again (seq %d, was %d)", r.Seq, first.Seq)
		}
	}
	if n, _ := st.PendingCount(context.Background()); n != 0 {
		t.Errorf("got %d pending items, want the message completed", n)
	}
}
