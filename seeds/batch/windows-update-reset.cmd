@echo off
rem Resets the Windows Update components (KB971058 procedure).
rem Service desk runbook WU-03: use when updates fail with 0x80070002 / 0x8024402F.
net session >nul 2>&1 || (echo Run as administrator & exit /b 5)

echo Stopping update services ...
net stop bits /y
net stop wuauserv /y
net stop cryptsvc /y
net stop msiserver /y

echo Renaming caches ...
if exist "%windir%\SoftwareDistribution.old" rmdir /s /q "%windir%\SoftwareDistribution.old"
if exist "%windir%\System32\catroot2.old" rmdir /s /q "%windir%\System32\catroot2.old"
ren "%windir%\SoftwareDistribution" SoftwareDistribution.old
ren "%windir%\System32\catroot2" catroot2.old

echo Re-registering components ...
for %%D in (atl.dll urlmon.dll mshtml.dll wuapi.dll wuaueng.dll wups.dll wups2.dll qmgr.dll) do regsvr32.exe /s %windir%\system32\%%D

netsh winsock reset
netsh winhttp reset proxy

echo Starting services ...
net start cryptsvc
net start bits
net start wuauserv
net start msiserver

usoclient StartScan
echo Done. Please reboot and retry Windows Update.
