@echo off
rem Forces a Group Policy refresh and saves an HTML RSoP report so the
rem desktop team can verify that the new baseline GPOs applied.
setlocal
set "REPORTDIR=\\fs01.corp.example\it-reports$\gpresult"
set "LOCAL=%TEMP%\gpresult_%COMPUTERNAME%.html"

echo Refreshing policy ...
gpupdate /target:computer /force /wait:120
gpupdate /target:user /force /wait:120

gpresult /h "%LOCAL%" /f
if exist "%REPORTDIR%" (
    copy /y "%LOCAL%" "%REPORTDIR%\%COMPUTERNAME%_%USERNAME%.html" >nul && echo Report uploaded to %REPORTDIR%
) else (
    echo Report share not reachable, report left at %LOCAL%
)
gpresult /r /scope computer | findstr /i /c:"Applied Group Policy Objects" /c:"Baseline"
endlocal
