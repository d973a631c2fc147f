package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spf13/pflag"

	"github.com/automaldesc/automaldesc/analysis/lang"
)

func writeFile(t *testing.T, name, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestDefaultsAreValid(t *testing.T) {
	c, _, err := Load(Options{Environ: []string{}})
	if err != nil {
		t.Fatalf("Load with defaults: %v", err)
	}
	if c.Limits.MaxFileSize != 8*MiB {
		t.Errorf("max_file_size: got %s, want 8MiB", c.Limits.MaxFileSize)
	}
	if c.Limits.SampleTimeout != 10*time.Second {
		t.Errorf("sample_timeout: got %s, want 10s", c.Limits.SampleTimeout)
	}
}

func TestPrecedence(t *testing.T) {
	file := writeFile(t, "c.yaml", "limits:\n  max_file_size: 1MiB\n  decode_depth: 4\nlog:\n  level: debug\n")
	fs := pflag.NewFlagSet("x", pflag.ContinueOnError)
	fs.Int("decode-depth", 0, "")
	if err := fs.Parse([]string{"--decode-depth=6"}); err != nil {
		t.Fatal(err)
	}
	c, _, err := Load(Options{
		File:    file,
		Environ: []string{"AUTOMALDESC_LIMITS_MAX_FILE_SIZE=2MiB", "AUTOMALDESC_LIMITS_DECODE_DEPTH=5", "PATH=/bin"},
		Flags:   fs,
		FlagKey: map[string]string{"decode-depth": "limits.decode_depth"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := c.Limits.MaxFileSize, 2*MiB; got != want {
		t.Errorf("env over file: got %s, want %s", got, want)
	}
	if got, want := c.Limits.DecodeDepth, 6; got != want {
		t.Errorf("flag over env: got %d, want %d", got, want)
	}
	if got, want := c.Log.Level, "debug"; got != want {
		t.Errorf("file over default: got %s, want %s", got, want)
	}
}

func TestErrors(t *testing.T) {
	tests := []struct {
		name    string
		file    string
		env     []string
		wantSub string
	}{
		{"unknown file key", "limits:\n  max_file_sise: 3\n", nil, "max_file_sise"},
		{"unknown section", "limitz:\n  a: 1\n", nil, "limitz"},
		{"unknown env var", "", []string{"AUTOMALDESC_LIMITS_NOPE=1"}, "AUTOMALDESC_LIMITS_NOPE"},
		{"bad size", "limits:\n  max_file_size: lots\n", nil, "max_file_size"},
		{"size out of range", "limits:\n  max_file_size: 2GiB\n", nil, "limits.max_file_size"},
		{"bad level", "log:\n  level: loud\n", nil, "log.level"},
		{"threshold order", "verdict:\n  thresholds:\n    bash:\n      malicious: 0.3\n      suspicious: 0.6\n", nil, "verdict.thresholds.bash"},
		{"malformed yaml", "limits: [\n", nil, "config file"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			opt := Options{Environ: tc.env}
			if opt.Environ == nil {
				opt.Environ = []string{}
			}
			if tc.file != "" {
				opt.File = writeFile(t, "c.yaml", tc.file)
			}
			_, _, err := Load(opt)
			if err == nil {
				t.Fatalf("got nil error, want one mentioning %q", tc.wantSub)
			}
			if !strings.Contains(err.Error(), tc.wantSub) {
				t.Errorf("got %q, want it to mention %q", err, tc.wantSub)
			}
			if tc.name != "malformed yaml" && !errors.Is(err, ErrInvalid) {
				t.Errorf("got %v, want errors.Is(err, ErrInvalid)", err)
			}
		})
	}
}

func TestThresholdsFor(t *testing.T) {
	th := Thresholds{Default: Threshold{0.8, 0.5, 1}, Bash: Threshold{0.9, 0.6, 1}}
	if got := th.For(lang.Bash).Malicious; got != 0.9 {
		t.Errorf("bash: got %g, want 0.9", got)
	}
	if got := th.For(lang.Python).Malicious; got != 0.8 {
		t.Errorf("python falls back to default: got %g, want 0.8", got)
	}
}

func TestByteSize(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want ByteSize
	}{{"8MiB", 8 * MiB}, {"1024", 1024}, {"1.5KiB", 1536}, {"2 gb", 2000000000}, {"16k", 16 * KiB}} {
		got, err := ParseByteSize(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("ParseByteSize(%q): got %d, %v; want %d", tc.in, got, err, tc.want)
		}
	}
	for _, bad := range []string{"", "-1", "MiB", "1XB"} {
		if _, err := ParseByteSize(bad); err == nil {
			t.Errorf("ParseByteSize(%q): got nil error", bad)
		}
	}
}

func TestYAMLRoundTrip(t *testing.T) {
	out, err := Defaults().YAML()
	if err != nil {
		t.Fatal(err)
	}
	p := writeFile(t, "round.yaml", string(out))
	c, _, err := Load(Options{File: p, Environ: []string{}})
	if err != nil {
		t.Fatalf("printed defaults do not load back: %v\n%s", err, out)
	}
	if c.Limits != Defaults().Limits {
		t.Errorf("limits: got %+v, want %+v", c.Limits, Defaults().Limits)
	}
}
