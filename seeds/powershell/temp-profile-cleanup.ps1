param([int]$Days = 7, [switch]$WhatIf)
$freed = 0
$paths = @("$env:SystemRoot\Temp") + (Get-ChildItem 'C:\Users' -Directory | ForEach-Object { Join-Path $_.FullName 'AppData\Local\Temp' })
foreach ($p in $paths) {
    if (-not (Test-Path $p)) { continue }
    Get-ChildItem -Path $p -Recurse -File -Force -ErrorAction SilentlyContinue |
        Where-Object { $_.LastWriteTime -lt (Get-Date).AddDays(-$Days) } |
        ForEach-Object {
            $freed += $_.Length
            Remove-Item $_.FullName -Force -ErrorAction SilentlyContinue -WhatIf:$WhatIf
        }
}
Write-Output ('Freed {0:N1} MB' -f ($freed / 1MB))
