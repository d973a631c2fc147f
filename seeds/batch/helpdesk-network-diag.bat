@echo off
rem Helpdesk network diagnostics collector.
rem Run by the user when asked by the service desk; writes a text report to
rem the desktop that the user attaches to their ticket. Nothing is uploaded.

setlocal
set "OUT=%USERPROFILE%\Desktop\netdiag_%COMPUTERNAME%.txt"

echo Collecting network diagnostics, please wait ...
(
  echo ===== %COMPUTERNAME% / %USERNAME% / %DATE% %TIME%
  echo.
  echo ===== ipconfig /all
  ipconfig /all
  echo ===== route print
  route print
  echo ===== DNS resolution
  nslookup intranet.corp.example
  nslookup mail.corp.example
  echo ===== Reachability
  ping -n 4 gw.corp.example
  ping -n 4 intranet.corp.example
  echo ===== Trace to intranet
  tracert -d -h 15 intranet.corp.example
  echo ===== Proxy settings
  netsh winhttp show proxy
  echo ===== Wi-Fi interface
  netsh wlan show interfaces
) > "%OUT%" 2>&1

echo Report saved to %OUT%
echo Please attach this file to your service desk ticket.
pause
endlocal
