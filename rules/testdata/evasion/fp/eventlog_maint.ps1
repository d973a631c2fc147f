# Create the application's event source and archive the application log.
New-EventLog -LogName Application -Source 'ContosoSvc'
Remove-EventLog -Source 'OldContosoSvc'
wevtutil epl Application C:\Archive\app.evtx
Add-MpPreference -ExclusionPath 'D:\Data\SQL\Datafiles'
Get-MpComputerStatus | Select-Object RealTimeProtectionEnabled
