package indicators

import (
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/automaldesc/automaldesc/analysis/lang"
	"github.com/automaldesc/automaldesc/internal/corpus"
	"github.com/automaldesc/automaldesc/learning/dataset"
)

// benchScript returns an inert admin-style PowerShell script of about n
// bytes with a few suspicious lines, the typical size of a flagged script.
func benchScript(n int) string {
	const body = `# Inventory and maintenance helper (inert benchmark text)
param([string]$ComputerName = $env:COMPUTERNAME, [switch]$Verbose)
$ErrorActionPreference = 'Stop'
function Get-DiskReport {
    Get-CimInstance Win32_LogicalDisk | Where-Object { $_.DriveType -eq 3 } |
        Select-Object DeviceID, @{n='FreeGB';e={[math]::Round($_.FreeSpace/1GB,1)}}
}
function Write-Log([string]$Message) {
    $stamp = Get-Date -Format 'yyyy-MM-dd HH:mm:ss'
    Add-Content -Path "$env:TEMP\maint.log" -Value "$stamp $Message"
}
$services = Get-Service | Where-Object { $_.Status -eq 'Running' } | Sort-Object Name
foreach ($s in $services) { Write-Log ("running: {0}" -f $s.Name) }
$report = Get-DiskReport
if ($report.FreeGB -lt 5) { Write-Warning "Low disk space on $ComputerName" }
$wc = New-Object System.Net.WebClient
$wc.DownloadFile('https://updates.example.invalid/agent.msi', "$env:TEMP\agent.msi")
Start-Process msiexec.exe -ArgumentList "/i $env:TEMP\agent.msi /qn" -Wait
Invoke-Command -ComputerName $ComputerName -ScriptBlock { Get-HotFix | Select -First 5 }
schtasks /create /tn Maint /tr "powershell -File C:\maint\run.ps1" /sc daily /st 03:00
whoami /groups | Out-String | Write-Log
`
	var b strings.Builder
	for b.Len() < n {
		b.WriteString(body)
	}
	return b.String()[:n]
}

func BenchmarkScan(b *testing.B) {
	c := Default()
	cases := []struct {
		name string
		l    lang.Language
		text string
	}{
		{"powershell_5KB", lang.PowerShell, benchScript(5 << 10)},
		{"bash_5KB", lang.Bash, strings.Repeat("for f in /var/lib/app/*.conf; do\n  grep -q enabled \"$f\" && echo \"$f\" >> /tmp/enabled.txt\ndone\ncurl -fsSL https://example.invalid/x.tgz -o /tmp/x.tgz\n", 40)[:5<<10]},
		{"javascript_5KB_minified", lang.JavaScript, strings.Repeat("var a=function(b,c){return b.map(function(d){return d*c})};window.x=a([1,2,3],2);", 70)[:5<<10]},
		{"unknown_5KB", lang.Unknown, benchScript(5 << 10)},
	}
	for _, tc := range cases {
		b.Run(tc.name, func(b *testing.B) {
			b.SetBytes(int64(len(tc.text)))
			b.ReportAllocs()
			for b.Loop() {
				c.Scan(tc.text, tc.l, 0)
			}
		})
	}
}

// BenchmarkScanDevCorpus scans every dev-corpus sample (raw text, its
// manifest language) per iteration and reports the mean time per file.
func BenchmarkScanDevCorpus(b *testing.B) {
	dir, err := corpus.Open(corpus.Dev)
	if err != nil {
		b.Skipf("corpus not available: %v", err)
	}
	entries, _, err := dataset.LoadManifest(dir + "/manifest.tsv")
	if err != nil {
		b.Fatal(err)
	}
	type sample struct {
		text string
		l    lang.Language
	}
	var samples []sample
	size := 0
	for _, e := range entries {
		data, err := os.ReadFile(e.Path(dir))
		if err != nil {
			b.Fatal(err)
		}
		l, _ := lang.Parse(e.Language)
		samples = append(samples, sample{string(data), l})
		size += len(data)
	}
	c := Default()
	b.SetBytes(int64(size))
	b.ResetTimer()
	for b.Loop() {
		for _, s := range samples {
			c.Scan(s.text, s.l, 0)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(samples)), "ns/file")
}

// BenchmarkScanDevLayers scans every layer the engine scans for the dev
// corpus (see loadDevLayers) per iteration, with Scan and with the frozen
// reference evaluation, and reports the mean time per layer.
func BenchmarkScanDevLayers(b *testing.B) {
	layers := loadDevLayers(b)
	size := 0
	for _, l := range layers {
		size += len(l.text)
	}
	c, ref := Default(), refCatalogOnce()
	for _, l := range layers { // build the lazily compiled matchers
		c.Scan(l.text, l.l, l.index)
	}
	for _, bc := range []struct {
		name string
		scan func(text string, l lang.Language, layer int) []Hit
	}{{"scan", c.Scan}, {"reference", ref.Scan}} {
		b.Run(bc.name, func(b *testing.B) {
			b.SetBytes(int64(size))
			b.ReportAllocs()
			for b.Loop() {
				for _, l := range layers {
					bc.scan(l.text, l.l, l.index)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(layers)), "ns/layer")
		})
	}
}

// BenchmarkIsRandomIdent judges every long identifier of the dev-corpus
// layers per iteration, with isRandomIdent and with the byte-by-byte
// reference.
func BenchmarkIsRandomIdent(b *testing.B) {
	var toks []string
	for _, ly := range loadDevLayers(b) {
		for _, tok := range strings.FieldsFunc(ly.text, func(r rune) bool { return r >= 0x80 || !isIdent(byte(r)) }) {
			if len(tok) >= 8 && len(tok) <= 64 {
				toks = append(toks, tok)
			}
		}
	}
	for _, bc := range []struct {
		name string
		fn   func(string) bool
	}{{"bitmask", isRandomIdent}, {"reference", refIsRandomIdent}} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				for _, tok := range toks {
					bc.fn(tok)
				}
			}
		})
	}
}

// BenchmarkAutomatonDevLayers runs only the literal pre-pass over every
// dev-corpus layer per iteration.
func BenchmarkAutomatonDevLayers(b *testing.B) {
	layers := loadDevLayers(b)
	size := 0
	for _, l := range layers {
		size += len(l.text)
	}
	c := Default()
	o := newOccurrences(len(c.lits))
	b.SetBytes(int64(size))
	b.ReportAllocs()
	for b.Loop() {
		for _, l := range layers {
			text := l.text
			if len(text) > MaxScanBytes {
				text = text[:MaxScanBytes]
			}
			o.reset(len(text))
			c.ac.scan(text, &o)
		}
	}
}

// BenchmarkMatchFnsDevLayers runs each statistical match function, and
// its frozen reference, over every dev-corpus layer per iteration.
func BenchmarkMatchFnsDevLayers(b *testing.B) {
	layers := loadDevLayers(b)
	lowers := make([]string, len(layers))
	for i, l := range layers {
		lowers[i] = asciiLower(l.text)
	}
	fns := matchFns()
	ids := make([]string, 0, len(fns))
	for id := range fns {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		for k, name := range []string{"new", "reference"} {
			b.Run(id+"/"+name, func(b *testing.B) {
				fn := fns[id][k]
				b.ReportAllocs()
				for b.Loop() {
					for i, l := range layers {
						fn(l.text, lowers[i])
					}
				}
			})
		}
	}
}

// BenchmarkNewAutomaton builds the default catalog's automaton, as every
// process does at start-up.
func BenchmarkNewAutomaton(b *testing.B) {
	lits := Default().lits
	b.ReportAllocs()
	for b.Loop() {
		newAutomaton(lits)
	}
}
