@echo off
rem ---------------------------------------------------------------
rem  Nightly file-server backup (Finance + HR shares)
rem  Owner: IT Operations  -  ticket CHG-20931
rem  Mirrors D:\Shares to the backup NAS and keeps 14 days of logs.
rem ---------------------------------------------------------------
setlocal

set "SRC=D:\Shares"
set "DST=\\nas01.corp.example\backup$\fileserver01"
set "LOGDIR=D:\Logs\Backup"

for /f "tokens=2 delims==" %%I in ('wmic os get LocalDateTime /value ^| find "="') do set "DT=%%I"
set "STAMP=%DT:~0,8%"

if not exist "%LOGDIR%" mkdir "%LOGDIR%"

echo [%date% %time%] Starting backup of %SRC% to %DST% >> "%LOGDIR%\summary.log"

robocopy "%SRC%\Finance" "%DST%\Finance" /MIR /Z /R:2 /W:10 /MT:8 /NP /XJ /LOG:"%LOGDIR%\finance_%STAMP%.log"
set RC_FIN=%ERRORLEVEL%
robocopy "%SRC%\HR" "%DST%\HR" /MIR /Z /R:2 /W:10 /MT:8 /NP /XJ /LOG:"%LOGDIR%\hr_%STAMP%.log"
set RC_HR=%ERRORLEVEL%

rem robocopy exit codes 0-7 are success, 8+ means at least one failure
if %RC_FIN% GEQ 8 goto :failed
if %RC_HR% GEQ 8 goto :failed

echo [%date% %time%] Backup finished OK (finance=%RC_FIN% hr=%RC_HR%) >> "%LOGDIR%\summary.log"
goto :prune

:failed
echo [%date% %time%] Backup FAILED (finance=%RC_FIN% hr=%RC_HR%) >> "%LOGDIR%\summary.log"
eventcreate /T ERROR /ID 901 /L APPLICATION /SO NightlyBackup /D "Robocopy backup failed, see %LOGDIR%"

:prune
rem keep two weeks of robocopy logs
forfiles /p "%LOGDIR%" /m *.log /d -14 /c "cmd /c if @isdir==FALSE del @path" 2>nul
endlocal
exit /b %RC_FIN%
