package decode

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/automaldesc/automaldesc/analysis/charset"
	"github.com/automaldesc/automaldesc/analysis/lang"
	"github.com/automaldesc/automaldesc/internal/corpus"
)

// plainScript is a typical non-obfuscated admin script of about 5 KB.
func plainScript() string {
	const block = `# Collect disk usage and write a report.
param([string]$ComputerName = $env:COMPUTERNAME, [int]$Threshold = 80)
function Get-DiskReport {
    [CmdletBinding()]
    param([string]$Name)
    $disks = Get-CimInstance -ClassName Win32_LogicalDisk -ComputerName $Name -Filter "DriveType=3"
    foreach ($d in $disks) {
        $used = [math]::Round((($d.Size - $d.FreeSpace) / $d.Size) * 100, 1)
        if ($used -gt $Threshold) {
            Write-Warning ("Disk {0} on {1} is {2}% full" -f $d.DeviceID, $Name, $used)
        }
        [pscustomobject]@{ Computer = $Name; Drive = $d.DeviceID; UsedPercent = $used }
    }
}
$report = Get-DiskReport -Name $ComputerName
$report | Export-Csv -Path (Join-Path $env:TEMP 'disk-report.csv') -NoTypeInformation
Write-Host "Report written for $ComputerName" -ForegroundColor Green
`
	return strings.Repeat(block, 5000/len(block)+1)[:5000]
}

// obfuscatedScript is a 5 KB script with several layers of obfuscation.
func obfuscatedScript(tb testing.TB) string {
	stage := gzipStage(b64bytes(gzipBytes(tb, cradle)))
	head := "$a = ('Down'+'load'+'Str'+'ing'); $b = (\"{1}{0}\" -f 'Client','Net.Web'); I`E`X ([char]87+[char]114)\n" +
		"powershell -w hidden -enc " + b64u16(stage) + "\n"
	body := plainScript()
	return head + body[:5000-len(head)]
}

func benchDecode(b *testing.B, src string, l lang.Language) {
	b.ReportAllocs()
	b.SetBytes(int64(len(src)))
	ctx := context.Background()
	for b.Loop() {
		if _, err := Decode(ctx, src, l, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodePlain5K(b *testing.B)      { benchDecode(b, plainScript(), lang.PowerShell) }
func BenchmarkDecodeObfuscated5K(b *testing.B) { benchDecode(b, obfuscatedScript(b), lang.PowerShell) }
func BenchmarkDecodePlainJS5K(b *testing.B) {
	benchDecode(b, strings.Repeat("function add(a, b) { return a + b; } // sum\nvar msg = 'Total: ' + add(1, 2);\nconsole.log(msg);\n", 55), lang.JavaScript)
}

// BenchmarkDecodeDev decodes every dev sample as the engine does: charset
// decoding and language identification happen once outside the timer, and
// decoded layers are identified through the same callback the engine
// passes. Its ns/op is the decode stage's CPU per corpus pass (the
// Identify callbacks included).
func BenchmarkDecodeDev(b *testing.B) {
	dir := corpus.Require(b, corpus.Dev)
	entries, err := os.ReadDir(filepath.Join(dir, "samples"))
	if err != nil {
		b.Fatal(err)
	}
	type sample struct {
		text string
		l    lang.Language
	}
	var samples []sample
	var size int64
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(dir, "samples", e.Name()))
		if err != nil {
			b.Fatal(err)
		}
		text, _, err := charset.Decode(data)
		if err != nil {
			continue
		}
		samples = append(samples, sample{text, lang.Identify(text, e.Name()).Language})
		size += int64(len(text))
	}
	opt := Options{Identify: lang.LanguageOf}
	ctx := context.Background()
	b.SetBytes(size)
	b.ReportAllocs()
	for b.Loop() {
		for _, s := range samples {
			if _, err := Decode(ctx, s.text, s.l, opt); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkHintsDev finds the decoders' hints in the text of every layer
// Decode makes of the dev samples.
func BenchmarkHintsDev(b *testing.B) {
	dir := corpus.Require(b, corpus.Dev)
	entries, err := os.ReadDir(filepath.Join(dir, "samples"))
	if err != nil {
		b.Fatal(err)
	}
	type text struct {
		text string
		ht   *hintTable
	}
	var texts []text
	var size int64
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(dir, "samples", e.Name()))
		if err != nil {
			b.Fatal(err)
		}
		src, _, err := charset.Decode(data)
		if err != nil {
			continue
		}
		layers, _ := Decode(context.Background(), src, lang.Identify(src, e.Name()).Language, Options{})
		for _, l := range layers {
			texts = append(texts, text{l.Text, hintTableOf(l.Language)})
			size += int64(len(l.Text))
		}
	}
	b.SetBytes(size)
	b.ReportAllocs()
	for b.Loop() {
		for _, t := range texts {
			t.ht.present(t.text)
		}
	}
}

// BenchmarkJSLexDev lexes the JavaScript dev samples for string literals:
// the lexer of the decoders, then the frozen old one (reference_test.go).
func BenchmarkJSLexDev(b *testing.B) {
	var texts []string
	var size int64
	corpus.Sweep(b, corpus.Dev, func(name, text string) {
		if lang.Identify(text, name).Language == lang.JavaScript {
			texts = append(texts, text)
			size += int64(len(text))
		}
	})
	b.Run("lexJS", func(b *testing.B) {
		b.SetBytes(size)
		b.ReportAllocs()
		for b.Loop() {
			for _, t := range texts {
				putJSLits(lexJSLiterals(t))
			}
		}
	})
	b.Run("reference", func(b *testing.B) {
		b.SetBytes(size)
		b.ReportAllocs()
		for b.Loop() {
			for _, t := range texts {
				refJSLiterals(t)
			}
		}
	})
}
