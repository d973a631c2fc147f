# Registers the Fabrikam tray agent to start at logon for all users.
# Packaged with FabrikamSync 5.x; runs from the installer's custom action.
[CmdletBinding(SupportsShouldProcess)]
param([string]$InstallDir = "${env:ProgramFiles}\Fabrikam\Sync")
$exe = Join-Path $InstallDir 'FabrikamTray.exe'
if (-not (Test-Path $exe)) {
    Write-Error "FabrikamTray.exe not found in $InstallDir"
    exit 2
}
$runKey = 'HKLM:\SOFTWARE\Microsoft\Windows\CurrentVersion\Run'
$value = "`"$exe`" --minimized"
if ($PSCmdlet.ShouldProcess($runKey, 'Set FabrikamTray autostart')) {
    Set-ItemProperty -Path $runKey -Name 'FabrikamTray' -Value $value
}
# remove the per-user entry written by versions before 5.0
$legacy = 'HKCU:\Software\Microsoft\Windows\CurrentVersion\Run'
if (Get-ItemProperty -Path $legacy -Name 'FabrikamSyncTray' -ErrorAction SilentlyContinue) {
    Remove-ItemProperty -Path $legacy -Name 'FabrikamSyncTray'
}
Write-Output "Autostart configured: $value"
