@echo off
rem Watchdog for the print spooler and the label-printer bridge service on
rem warehouse terminals. Runs every 5 minutes from Task Scheduler.
setlocal EnableDelayedExpansion
set "LOG=C:\ProgramData\Warehouse\watchdog.log"

for %%S in (Spooler LabelBridge) do (
    set "STATE="
    for /f "tokens=4" %%T in ('sc query %%S ^| findstr /c:"STATE"') do set "STATE=%%T"
    if /i not "!STATE!"=="RUNNING" (
        echo %DATE% %TIME% %%S was !STATE!, restarting>> "%LOG%"
        net start %%S >> "%LOG%" 2>&1
        eventcreate /T WARNING /ID 300 /L APPLICATION /SO WarehouseWatchdog /D "Service %%S restarted by watchdog" >nul
    )
)

rem trim the log to the last 500 lines
for /f %%C in ('type "%LOG%" ^| find /c /v ""') do set LINES=%%C
if !LINES! GTR 2000 (
    set /a SKIP=!LINES!-500
    more +!SKIP! "%LOG%" > "%LOG%.tmp" && move /y "%LOG%.tmp" "%LOG%" >nul
)
endlocal
