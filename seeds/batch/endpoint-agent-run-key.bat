@echo off
rem Contoso Endpoint Agent - post-install configuration
rem Registers the tray helper to start at logon for all users and writes
rem the agent's server settings. Deployed via SCCM package CEA-4.2.

setlocal
set "AGENTDIR=%ProgramFiles%\Contoso\EndpointAgent"
set "TRAY=%AGENTDIR%\cea-tray.exe"

net session >nul 2>&1
if errorlevel 1 (
    echo This script must be run as Administrator.
    exit /b 5
)

if not exist "%TRAY%" (
    echo Agent not installed at "%AGENTDIR%" - aborting.
    exit /b 2
)

rem verify the vendor signature before registering autostart
powershell -NoProfile -Command "if ((Get-AuthenticodeSignature '%TRAY%').Status -ne 'Valid') { exit 1 }"
if errorlevel 1 (
    echo Signature check failed for %TRAY%
    exit /b 3
)

reg add "HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\Run" /v "ContosoEndpointTray" /t REG_SZ /d "\"%TRAY%\" --minimized" /f
reg add "HKLM\SOFTWARE\Contoso\EndpointAgent" /v ServerUrl /t REG_SZ /d "https://cea.corp.example:8443" /f
reg add "HKLM\SOFTWARE\Contoso\EndpointAgent" /v CheckinMinutes /t REG_DWORD /d 15 /f

sc config ContosoEndpointAgent start= auto
sc start ContosoEndpointAgent

echo Contoso Endpoint Agent configured.
endlocal
exit /b 0
