<#
.SYNOPSIS
  Installs the Contoso monitoring agent from the vendor portal and verifies the package hash.
.NOTES
  Owner: Endpoint Engineering. Deploy through Intune as SYSTEM.
#>
[CmdletBinding()]
param(
    [string]$Version = '7.4.2',
    [string]$ExpectedSha256 = '3f6c2b8e9a1d4c7b2e5f8a0d3c6b9e2f5a8d1c4b7e0a3d6c9f2b5e8a1d4c7b0e',
    [string]$TenantToken = $env:CONTOSO_TENANT_TOKEN
)
$ErrorActionPreference = 'Stop'
[Net.ServicePointManager]::SecurityProtocol = [Net.SecurityProtocolType]::Tls12
$url = "https://downloads.contoso-monitoring.example/agent/$Version/ContosoAgent-x64.msi"
$msi = Join-Path $env:TEMP "ContosoAgent-$Version.msi"
$log = Join-Path $env:ProgramData 'Contoso\Logs\install.log'
New-Item -ItemType Directory -Path (Split-Path $log) -Force | Out-Null

Write-Verbose "Downloading $url"
Invoke-WebRequest -Uri $url -OutFile $msi -UseBasicParsing
$actual = (Get-FileHash -Path $msi -Algorithm SHA256).Hash.ToLowerInvariant()
if ($actual -ne $ExpectedSha256) {
    Remove-Item $msi -Force
    throw "Hash mismatch for ${msi}: expected $ExpectedSha256, got $actual"
}
$sig = Get-AuthenticodeSignature -FilePath $msi
if ($sig.Status -ne 'Valid') { throw "Package signature is $($sig.Status)" }
$args = "/i `"$msi`" /qn /norestart TENANT_TOKEN=$TenantToken /L*v `"$log`""
$p = Start-Process -FilePath msiexec.exe -ArgumentList $args -Wait -PassThru
if ($p.ExitCode -notin 0, 3010) { throw "msiexec failed with exit code $($p.ExitCode)" }
Remove-Item $msi -Force
Write-Output "Contoso agent $Version installed (exit $($p.ExitCode))"
