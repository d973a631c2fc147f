<#
  Creates the nightly file-server backup task (robocopy mirror to the backup NAS).
  Run once per file server as a domain admin.
#>
param(
    [string]$Source = 'D:\Shares',
    [string]$Destination = '\\nas01.corp.example\backup\fs01',
    [string]$Time = '01:30'
)
$logDir = 'C:\ProgramData\Backup\Logs'
New-Item -ItemType Directory -Path $logDir -Force | Out-Null
$script = 'C:\ProgramData\Backup\Run-Backup.ps1'
@"
`$stamp = Get-Date -Format yyyyMMdd
robocopy '$Source' '$Destination' /MIR /Z /R:2 /W:10 /MT:8 /XD '`$RECYCLE.BIN' 'System Volume Information' /LOG:'$logDir\robocopy-`$stamp.log' /NP
if (`$LASTEXITCODE -ge 8) { Write-EventLog -LogName Application -Source 'FSBackup' -EventId 1001 -EntryType Error -Message "robocopy exit `$LASTEXITCODE" }
Get-ChildItem '$logDir' -Filter 'robocopy-*.log' | Where-Object LastWriteTime -lt (Get-Date).AddDays(-30) | Remove-Item
"@ | Set-Content -Path $script -Encoding UTF8
if (-not [Diagnostics.EventLog]::SourceExists('FSBackup')) { New-EventLog -LogName Application -Source 'FSBackup' }
$action = New-ScheduledTaskAction -Execute 'powershell.exe' -Argument "-NoProfile -ExecutionPolicy Bypass -File `"$script`""
$trigger = New-ScheduledTaskTrigger -Daily -At $Time
$principal = New-ScheduledTaskPrincipal -UserId 'SYSTEM' -LogonType ServiceAccount -RunLevel Highest
Register-ScheduledTask -TaskName 'Nightly File Server Backup' -TaskPath '\Corp\' -Action $action -Trigger $trigger -Principal $principal -Description 'Robocopy mirror of D:\Shares to NAS' -Force
