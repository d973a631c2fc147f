[CmdletBinding()]
param(
    [ValidateSet('Debug','Release')][string]$Configuration = 'Release',
    [string]$Version = (Get-Content "$PSScriptRoot\VERSION" -Raw).Trim(),
    [switch]$SkipTests
)
$ErrorActionPreference = 'Stop'
Set-Location $PSScriptRoot
$artifacts = Join-Path $PSScriptRoot 'artifacts'
if (Test-Path $artifacts) { Remove-Item $artifacts -Recurse -Force }
New-Item -ItemType Directory $artifacts | Out-Null

function Exec([scriptblock]$cmd) {
    & $cmd
    if ($LASTEXITCODE -ne 0) { throw "Command failed ($LASTEXITCODE): $cmd" }
}
Exec { dotnet restore src/Fabrikam.Tools.sln }
Exec { dotnet build src/Fabrikam.Tools.sln -c $Configuration --no-restore -p:Version=$Version }
if (-not $SkipTests) {
    Exec { dotnet test tests/Fabrikam.Tools.Tests -c $Configuration --no-build --logger "trx;LogFileName=$artifacts/tests.trx" }
}
Exec { dotnet pack src/Fabrikam.Tools -c $Configuration --no-build -p:PackageVersion=$Version -o $artifacts }
Get-ChildItem $artifacts -Filter *.nupkg | ForEach-Object {
    $h = Get-FileHash $_.FullName -Algorithm SHA256
    "$($h.Hash.ToLower())  $($_.Name)" | Add-Content (Join-Path $artifacts 'SHA256SUMS.txt')
}
Write-Host "Built Fabrikam.Tools $Version ($Configuration)" -ForegroundColor Green
