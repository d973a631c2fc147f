@echo off
rem Frees disk space on shared classroom PCs at logoff:
rem user temp folder, browser caches, and old downloads (> 30 days).
setlocal

echo Cleaning temp files for %USERNAME% ...
del /f /s /q "%TEMP%\*" >nul 2>&1
for /d %%D in ("%TEMP%\*") do rmdir /s /q "%%D" 2>nul

rem Edge / Chrome caches (not profiles, passwords or history)
for %%B in ("Microsoft\Edge" "Google\Chrome") do (
    if exist "%LOCALAPPDATA%\%%~B\User Data\Default\Cache" rmdir /s /q "%LOCALAPPDATA%\%%~B\User Data\Default\Cache"
    if exist "%LOCALAPPDATA%\%%~B\User Data\Default\Code Cache" rmdir /s /q "%LOCALAPPDATA%\%%~B\User Data\Default\Code Cache"
)

rem downloads older than 30 days
forfiles /p "%USERPROFILE%\Downloads" /s /d -30 /c "cmd /c if @isdir==FALSE del /q @path" 2>nul

rem Windows Explorer thumbnail cache
del /f /q "%LOCALAPPDATA%\Microsoft\Windows\Explorer\thumbcache_*.db" >nul 2>&1

for /f "tokens=3" %%A in ('dir /-c "%SystemDrive%\" ^| findstr /c:"bytes free"') do echo Free space now: %%A bytes
endlocal
