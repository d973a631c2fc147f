package ioc

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
)

func TestCorpusDump(t *testing.T) {
	dir := os.Getenv("IOCDUMP")
	if dir == "" {
		t.Skip()
	}
	want := os.Getenv("IOCTYPE")
	label := os.Getenv("IOCLABEL")
	f, _ := os.Open(filepath.Join(dir, "manifest.tsv"))
	sc := bufio.NewScanner(f)
	counts := map[string]int{}
	var total time.Duration
	var bytes int
	n := 0
	for sc.Scan() {
		cols := strings.Split(sc.Text(), "\t")
		if cols[0] == "file" || (label != "" && cols[3] != label) {
			continue
		}
		b, _ := os.ReadFile(filepath.Join(dir, cols[0]))
		st := time.Now()
		iocs := Extract(string(b), 0)
		total += time.Since(st)
		bytes += len(b)
		n++
		for _, c := range iocs {
			if f := os.Getenv("IOCFIND"); f != "" && c.Value == f {
				lo, hi := max(0, c.Offset-60), min(len(b), c.Offset+len(c.Value)+40)
				fmt.Printf("FIND %s: %q\n", cols[1][:12], string(b[lo:hi]))
			}
			if want == "" || string(c.Type) == want {
				counts[string(c.Type)+"\t"+c.Value+"\t"+cols[2]]++
			}
		}
	}
	type kv struct {
		k string
		v int
	}
	var kvs []kv
	for k, v := range counts {
		kvs = append(kvs, kv{k, v})
	}
	sort.Slice(kvs, func(i, j int) bool { return kvs[i].v > kvs[j].v })
	for i, x := range kvs {
		if i > 300 {
			break
		}
		fmt.Printf("%5d %s\n", x.v, x.k)
	}
	fmt.Printf("files %d bytes %d time %v per-KB %v\n", n, bytes, total, total/time.Duration(bytes/1024))
}
