# Verifies the SHA256 of every file in a release drop against SHA256SUMS.txt.
# certutil is used because the build agents still run Windows PowerShell 2 images.
param([Parameter(Mandatory)][string]$DropDir)
$sums = Join-Path $DropDir 'SHA256SUMS.txt'
if (-not (Test-Path $sums)) { throw "missing $sums" }
$failed = 0
foreach ($line in Get-Content $sums) {
    if ($line -match '^\s*([0-9a-fA-F]{64})\s+\*?(.+)$') {
        $expected = $Matches[1].ToLower()
        $file = Join-Path $DropDir $Matches[2]
        $out = certutil.exe -hashfile $file SHA256
        $actual = ($out[1] -replace '\s', '').ToLower()
        if ($actual -eq $expected) {
            Write-Host "OK      $($Matches[2])"
        } else {
            Write-Host "FAILED  $($Matches[2])" -ForegroundColor Red
            $failed++
        }
    }
}
if ($failed) { Write-Error "$failed file(s) failed verification"; exit 1 }
Write-Host 'All files verified.'
