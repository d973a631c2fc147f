@echo off
rem Domain logon script - maps department drives and printers.
rem Linked via GPO "User Logon - Drive Maps" (Users\Scripts\Logon).

net use H: /delete /y >nul 2>&1
net use S: /delete /y >nul 2>&1
net use H: "\\fs01.corp.example\home$\%USERNAME%" /persistent:no
net use S: "\\fs01.corp.example\shared" /persistent:no

rem department share based on AD group membership
whoami /groups | findstr /i /c:"CORP\GG-Finance" >nul && net use F: "\\fs01.corp.example\finance" /persistent:no
whoami /groups | findstr /i /c:"CORP\GG-Engineering" >nul && net use E: "\\fs02.corp.example\engineering" /persistent:no
whoami /groups | findstr /i /c:"CORP\GG-Marketing" >nul && net use M: "\\fs02.corp.example\marketing" /persistent:no

rem floor printers
rundll32 printui.dll,PrintUIEntry /in /q /n "\\print01.corp.example\FL2-MFP-01"
rundll32 printui.dll,PrintUIEntry /in /q /n "\\print01.corp.example\FL3-MFP-01"
rundll32 printui.dll,PrintUIEntry /y /q /n "\\print01.corp.example\FL2-MFP-01"

rem sync time with the domain
w32tm /resync /nowait >nul 2>&1
exit /b 0
