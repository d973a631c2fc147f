package dataset

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
)

const header = "file\tsha256\tlanguage\tlabel\tprovenance\tfamily\text\tsize\tsummary\n"

func TestReadManifest(t *testing.T) {
	in := header + "samples/a\tab\tpowershell\tmalicious\tin-the-wild\tfam\tps1\t10\tDoes a thing.\n" +
		"# comment\n\nsamples/b\tcd\tbash\tbenign\tbenign-os\t\tsh\t5\t\n"
	got, err := ReadManifest(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 {
		t.Fatalf("entries: got %d, want 2", len(got))
	}
	if got[0].Label != Malicious || got[0].Language != "powershell" || got[0].Extra["summary"] != "Does a thing." {
		t.Errorf("entry 0: got %+v", got[0])
	}
	if got[1].Label != Benign || got[1].Provenance != "benign-os" {
		t.Errorf("entry 1: got %+v", got[1])
	}
}

func TestReadManifestErrors(t *testing.T) {
	for name, in := range map[string]string{
		"empty":          "",
		"missing column": "file\tlanguage\n",
		"bad label":      header + "a\t\tbash\tmaybe\t\t\t\t\t\n",
		"escape":         header + "../etc/passwd\t\tbash\tbenign\t\t\t\t\t\n",
		"absolute":       header + "/etc/passwd\t\tbash\tbenign\t\t\t\t\t\n",
		"empty file":     header + "\t\tbash\tbenign\t\t\t\t\t\n",
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := ReadManifest(strings.NewReader(in)); !errors.Is(err, ErrMalformed) {
				t.Errorf("got %v, want ErrMalformed", err)
			}
		})
	}
}

func TestFromFSLayouts(t *testing.T) {
	seedsLike := fstest.MapFS{
		"bash/manifest.tsv":  {Data: []byte(header + "x.sh\t\tbash\tbenign\tseed\t\tsh\t3\t\n")},
		"bash/x.sh":          {Data: []byte("ls\n")},
		"batch/manifest.tsv": {Data: []byte(header + "y.bat\t\tbatch\tmalicious\tseed\t\tbat\t3\t\n")},
		"batch/y.bat":        {Data: []byte("dir")},
	}
	items, err := FromFS(seedsLike, "seeds")
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 2 || items[0].Where != "seeds/bash/x.sh" || items[1].Label != Malicious {
		t.Fatalf("seeds layout: got %+v", items)
	}
	b, _, err := items[1].Read(0)
	if err != nil || string(b) != "dir" {
		t.Errorf("read: got %q, %v", b, err)
	}
	plain := fstest.MapFS{"a/one.js": {Data: []byte("x")}, "two.py": {Data: []byte("yy")}}
	items, err = FromFS(plain, "pool")
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 2 || Labelled(items) == nil {
		t.Errorf("plain folder: got %d items (want 2, unlabelled)", len(items))
	}
	b, cut, _ := items[1].Read(1)
	if string(b) != "y" || !cut {
		t.Errorf("limited read: got %q cut=%v", b, cut)
	}
}

func TestLoadManifestFile(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "samples"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "samples", "a"), []byte("echo hi"), 0o644); err != nil {
		t.Fatal(err)
	}
	m := filepath.Join(dir, "manifest.tsv")
	if err := os.WriteFile(m, []byte(header+"samples/a\t\tbash\tbenign\t\t\t\t\t\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{m, dir} {
		items, err := Load(p)
		if err != nil || len(items) != 1 {
			t.Fatalf("Load(%s): got %d items, %v", p, len(items), err)
		}
		b, _, err := items[0].Read(0)
		if err != nil || string(b) != "echo hi" {
			t.Errorf("Load(%s) read: got %q, %v", p, b, err)
		}
	}
}
