@echo off
rem IIS log housekeeping for WEB01/WEB02.
rem  1. zips each day's W3SVC logs older than 7 days into the archive folder
rem  2. deletes raw logs older than 30 days and archives older than 365 days
rem Scheduled daily at 02:30 by the "IIS Log Housekeeping" task.

setlocal
set "LOGROOT=C:\inetpub\logs\LogFiles"
set "ARCHIVE=E:\LogArchive\IIS"

if not exist "%ARCHIVE%" mkdir "%ARCHIVE%"

for /d %%S in ("%LOGROOT%\W3SVC*") do (
    echo Processing %%~nxS
    forfiles /p "%%S" /m u_ex*.log /d -7 /c "cmd /c tar -a -cf \"%ARCHIVE%\%%~nxS_@fname.zip\" @file && del @file" 2>nul
)

rem raw logs that could not be archived are removed after 30 days
forfiles /p "%LOGROOT%" /s /m *.log /d -30 /c "cmd /c del /q @path" 2>nul

rem archives are kept for one year per the retention policy
forfiles /p "%ARCHIVE%" /m *.zip /d -365 /c "cmd /c del /q @path" 2>nul

for /f "tokens=3" %%F in ('dir /-c "%ARCHIVE%" ^| findstr /c:"File(s)"') do set "ARCHBYTES=%%F"
echo Archive size now %ARCHBYTES% bytes
endlocal
