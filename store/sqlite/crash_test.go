//go:build unix

package sqlite

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/automaldesc/automaldesc/store"
)

// crashEnv makes the test binary act as the crash helper: the value is the
// database path; crashEnv+"_RUN" names the run (item id prefix).
const crashEnv = "AUTOMALDESC_STORE_CRASH_HELPER"

// crashReport is a 5 KB report, large enough that a commit spans several
// WAL pages and a kill can land in the middle of writing it.
var crashReport = []byte(`{"iocs":[{"value":"198.51.100.77"}],"pad":"` + strings.Repeat("x", 5000) + `"}`)

func crashRecord(itemID string) store.Record {
	return store.Record{ID: "rec-" + itemID, SHA256: fmt.Sprintf("%064x", len(itemID)), Status: "ok", Label: "malicious", Report: crashReport}
}

// TestCrashHelper is not a test: run by TestCrashRecovery in a child
// process, it works the queue like the sidecar until it is killed.
func TestCrashHelper(t *testing.T) {
	path := os.Getenv(crashEnv)
	if path == "" {
		t.Skip("helper process of TestCrashRecovery")
	}
	if err := crashHelper(path, os.Getenv(crashEnv+"_RUN")); err != nil {
		fmt.Fprintln(os.Stdout, "ERR", err)
		os.Exit(3)
	}
}

// crashHelper prints "ready <leases recovered>", then loops: enqueue 8 items (printing
// "E id" after each Enqueue returned), lease up to 8 (oldest first, so
// left-overs of earlier runs too), complete each ("C id seq" after each
// Complete returned). Stdout is unbuffered: a line means the commit
// happened before it.
func crashHelper(path, run string) error {
	ctx := context.Background()
	s, err := Open(ctx, path, nil)
	if err != nil {
		return err
	}
	n, err := s.RecoverLeases(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintln(os.Stdout, "ready", n)
	for i := 0; ; {
		for range 8 {
			id := fmt.Sprintf("%s-%06d", run, i)
			i++
			if _, err := s.Enqueue(ctx, store.Item{ID: id, Path: "/staging/" + id, Source: "crash"}); err != nil {
				return err
			}
			fmt.Fprintln(os.Stdout, "E", id)
		}
		items, err := s.Lease(ctx, 8, time.Minute)
		if err != nil {
			return err
		}
		for _, it := range items {
			rec, err := s.Complete(ctx, it.ID, crashRecord(it.ID))
			if err != nil {
				return err
			}
			fmt.Fprintln(os.Stdout, "C", it.ID, rec.Seq)
		}
	}
}

func TestCrashRecovery(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns processes")
	}
	const runs = 5
	seed := uint64(time.Now().UnixNano())
	rng := rand.New(rand.NewPCG(seed, 0))
	t.Logf("seed %d", seed)
	path := filepath.Join(t.TempDir(), "crash.db")
	enqueued := map[string]bool{}
	completed := map[string]int64{}
	recoveredByHelpers := 0
	for run := range runs {
		cmd := exec.Command(os.Args[0], "-test.run=^TestCrashHelper$", "-test.count=1")
		cmd.Env = append(os.Environ(), crashEnv+"="+path, fmt.Sprintf("%s_RUN=r%d", crashEnv, run))
		cmd.Stderr = os.Stderr
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatalf("run %d: start helper: %v", run, err)
		}
		lines := make(chan string, 1024)
		go func() {
			defer close(lines)
			sc := bufio.NewScanner(out)
			for sc.Scan() {
				lines <- sc.Text()
			}
		}()
		select {
		case l := <-lines:
			n, err := strconv.Atoi(strings.TrimPrefix(l, "ready "))
			recoveredByHelpers += n
			if !strings.HasPrefix(l, "ready ") || err != nil {
				cmd.Process.Kill()
				cmd.Wait()
				t.Fatalf("run %d: helper said %q, want ready", run, l)
			}
		case <-time.After(20 * time.Second):
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatalf("run %d: helper not ready", run)
		}
		time.Sleep(time.Duration(20+rng.IntN(230)) * time.Millisecond)
		if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatalf("run %d: kill: %v", run, err)
		}
		var e, c int
		for l := range lines {
			f := strings.Fields(l)
			switch {
			case len(f) == 2 && f[0] == "E":
				enqueued[f[1]] = true
				e++
			case len(f) == 3 && f[0] == "C":
				seq, err := strconv.ParseInt(f[2], 10, 64)
				if err != nil {
					t.Fatalf("run %d: bad line %q", run, l)
				}
				completed[f[1]] = seq
				c++
			default:
				t.Fatalf("run %d: helper said %q", run, l)
			}
		}
		err = cmd.Wait()
		if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
			t.Fatalf("run %d: helper ended with %v, want killed by SIGKILL", run, err)
		}
		t.Logf("run %d: %d enqueued, %d completed before SIGKILL", run, e, c)
	}
	if len(enqueued) == 0 {
		t.Fatal("helpers made no progress")
	}

	// Restart: recover, then finish the queue like the sidecar would.
	ctx := t.Context()
	s, err := Open(ctx, path, nil)
	if err != nil {
		t.Fatalf("Open after crashes: %v", err)
	}
	defer s.Close()
	recovered, err := s.RecoverLeases(ctx)
	if err != nil {
		t.Fatalf("RecoverLeases: %v", err)
	}
	finished := 0
	for {
		items, err := s.Lease(ctx, 100, time.Minute)
		if err != nil {
			t.Fatalf("Lease: %v", err)
		}
		if len(items) == 0 {
			break
		}
		for _, it := range items {
			if _, err := s.Complete(ctx, it.ID, crashRecord(it.ID)); err != nil {
				t.Fatalf("Complete(%s): %v", it.ID, err)
			}
			finished++
		}
	}
	t.Logf("after restart: %d leases recovered (helpers recovered %d at their starts), %d items finished",
		recovered, recoveredByHelpers, finished)

	var integrity string
	if err := s.r.QueryRowContext(ctx, "PRAGMA integrity_check").Scan(&integrity); err != nil || integrity != "ok" {
		t.Fatalf("integrity_check: got %q, %v; want ok", integrity, err)
	}
	if n, err := s.PendingCount(ctx); err != nil || n != 0 {
		t.Fatalf("PendingCount: got (%d, %v), want (0, nil)", n, err)
	}
	// Every item, and every acknowledged Enqueue, ends as exactly one record.
	rows, err := s.r.QueryContext(ctx, `SELECT i.id, i.done, COALESCE(i.record_id, ''), COALESCE(r.item_id, ''), COALESCE(r.seq, 0)
		FROM items i LEFT JOIN records r ON r.id = i.record_id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	items := map[string]bool{}
	for rows.Next() {
		var (
			id, recordID, recItem string
			done                  int
			seq                   int64
		)
		if err := rows.Scan(&id, &done, &recordID, &recItem, &seq); err != nil {
			t.Fatal(err)
		}
		items[id] = true
		if done != 1 || recordID != "rec-"+id || recItem != id {
			t.Errorf("item %s: done %d, record %q of item %q; want done with rec-%s", id, done, recordID, recItem, id)
		}
		if want, ok := completed[id]; ok && seq != want {
			t.Errorf("item %s: record Seq %d, want %d as acknowledged before the kill", id, seq, want)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	for id := range enqueued {
		if !items[id] {
			t.Errorf("item %s: acknowledged Enqueue lost", id)
		}
	}
	var records, distinctItems int
	if err := s.r.QueryRowContext(ctx, "SELECT COUNT(*), COUNT(DISTINCT item_id) FROM records").Scan(&records, &distinctItems); err != nil {
		t.Fatal(err)
	}
	if records != len(items) || distinctItems != len(items) {
		t.Errorf("records: got %d for %d distinct items, want exactly one per item (%d items)", records, distinctItems, len(items))
	}
	t.Logf("%d items, %d acknowledged enqueues, %d acknowledged completions, %d records", len(items), len(enqueued), len(completed), records)
}
