param([string[]]$Exclude = @('sppsvc','RemoteRegistry','edgeupdate','gupdate','MapsBroker'))
if (-not [Diagnostics.EventLog]::SourceExists('SvcWatch')) { New-EventLog -LogName Application -Source 'SvcWatch' }
$stopped = Get-CimInstance Win32_Service -Filter "StartMode = 'Auto' AND State <> 'Running'" |
    Where-Object { $Exclude -notcontains $_.Name }
foreach ($svc in $stopped) {
    try {
        Start-Service -Name $svc.Name -ErrorAction Stop
        Write-EventLog -LogName Application -Source 'SvcWatch' -EventId 200 -EntryType Information -Message "Restarted $($svc.Name)"
    } catch {
        Write-EventLog -LogName Application -Source 'SvcWatch' -EventId 201 -EntryType Error -Message "Could not start $($svc.Name): $_"
    }
}
