@echo off
rem Opens the ports required by the Reporting Server application
rem (vendor install guide, section 3.4) on the domain profile only.
setlocal
set "APP=%ProgramFiles%\ReportHub\ReportHub.Server.exe"

netsh advfirewall firewall delete rule name="ReportHub HTTPS" >nul 2>&1
netsh advfirewall firewall delete rule name="ReportHub Agent" >nul 2>&1

netsh advfirewall firewall add rule name="ReportHub HTTPS" dir=in action=allow protocol=TCP localport=8443 profile=domain program="%APP%" enable=yes
netsh advfirewall firewall add rule name="ReportHub Agent" dir=in action=allow protocol=TCP localport=9100 profile=domain remoteip=198.51.100.0/24 enable=yes

netsh advfirewall firewall show rule name="ReportHub HTTPS"
netsh advfirewall firewall show rule name="ReportHub Agent"
endlocal
