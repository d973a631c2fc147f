package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

func TestWriteBehind(t *testing.T) {
	path := filepath.Join(t.TempDir(), "out.jsonl")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	w := &writeBehind{f: f}
	var want bytes.Buffer
	line := bytes.Repeat([]byte("0123456789abcdef"), 4096) // 64 KiB
	for i := range 2*writeBehindChunk/len(line) + 3 {
		line[0] = byte('A' + i%26)
		n, err := w.Write(line)
		if err != nil || n != len(line) {
			t.Fatalf("write %d: got %d, %v", i, n, err)
		}
		want.Write(line)
	}
	if w.written != int64(want.Len()) || w.started != 2*writeBehindChunk {
		t.Errorf("got %d written, writeback started up to %d; want %d and %d", w.written, w.started, want.Len(), 2*writeBehindChunk)
	}
	if err := f.Sync(); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want.Bytes()) {
		t.Errorf("file holds %d bytes that differ from the %d written", len(got), want.Len())
	}
}

func TestWriteBehindError(t *testing.T) {
	f, err := os.Open(os.DevNull) // read-only: every write fails
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	w := &writeBehind{f: f}
	if _, err := w.Write([]byte("x")); err == nil {
		t.Error("write to a read-only file: got no error")
	}
	if w.written != 0 {
		t.Errorf("counted %d bytes of a failed write", w.written)
	}
}
