@echo off
rem Deploys a published build of the intranet portal to IIS.
rem Usage: iis-site-deploy.cmd <build-folder>
setlocal
set "SITE=IntranetPortal"
set "POOL=IntranetPortalPool"
set "TARGET=D:\Sites\IntranetPortal"
set "BACKUP=D:\Sites\_backup\IntranetPortal_%DATE:~-4%%DATE:~4,2%%DATE:~7,2%"
set "APPCMD=%windir%\system32\inetsrv\appcmd.exe"

if "%~1"=="" (
    echo usage: %~nx0 ^<build-folder^>
    exit /b 1
)
if not exist "%~1\web.config" (
    echo "%~1" does not look like a published site.
    exit /b 1
)

echo Stopping %SITE% ...
"%APPCMD%" stop site /site.name:"%SITE%"
"%APPCMD%" stop apppool /apppool.name:"%POOL%"

echo Backing up current release to %BACKUP%
robocopy "%TARGET%" "%BACKUP%" /E /NFL /NDL /NJH /NJS >nul

echo Copying new release ...
robocopy "%~1" "%TARGET%" /MIR /XF appsettings.Production.json /XD logs /NFL /NDL
if %ERRORLEVEL% GEQ 8 (
    echo Copy failed, restoring backup.
    robocopy "%BACKUP%" "%TARGET%" /MIR >nul
)

"%APPCMD%" start apppool /apppool.name:"%POOL%"
"%APPCMD%" start site /site.name:"%SITE%"

powershell -NoProfile -Command "try { (Invoke-WebRequest -UseBasicParsing https://intranet.corp.example/health).StatusCode } catch { 500 }" | findstr /x "200" >nul && echo Health check OK || echo Health check FAILED
endlocal
