param([string[]]$Computers = (Get-Content "$PSScriptRoot\servers.txt"), [string]$Out = "$PSScriptRoot\patch-report.html")
$rows = foreach ($c in $Computers) {
    try {
        $last = Get-HotFix -ComputerName $c -ErrorAction Stop | Sort-Object InstalledOn -Descending | Select-Object -First 1
        [pscustomobject]@{ Computer = $c; LastKB = $last.HotFixID; InstalledOn = $last.InstalledOn; Days = ((Get-Date) - $last.InstalledOn).Days }
    } catch {
        [pscustomobject]@{ Computer = $c; LastKB = 'unreachable'; InstalledOn = $null; Days = $null }
    }
}
$css = '<style>body{font-family:Segoe UI}td,th{padding:4px 8px}tr:nth-child(even){background:#eee}</style>'
$rows | Sort-Object Days -Descending | ConvertTo-Html -Title 'Patch status' -Head $css -PreContent "<h2>Patch status $(Get-Date -Format d)</h2>" | Set-Content $Out
