@echo off
rem Verifies the SHA-256 of a downloaded vendor installer against the value
rem published on the vendor release page before staging it on the
rem software share. Usage: verify-installer-hash.bat <file> <expected-sha256>

setlocal EnableDelayedExpansion
if "%~2"=="" (
    echo usage: %~nx0 ^<installer^> ^<expected-sha256^>
    exit /b 64
)
set "FILE=%~f1"
set "EXPECTED=%~2"

if not exist "%FILE%" (
    echo File not found: %FILE%
    exit /b 2
)

set "ACTUAL="
for /f "skip=1 tokens=* delims=" %%H in ('certutil -hashfile "%FILE%" SHA256 ^| findstr /v /c:"CertUtil"') do (
    if not defined ACTUAL set "ACTUAL=%%H"
)
set "ACTUAL=!ACTUAL: =!"

echo Expected: %EXPECTED%
echo Actual  : !ACTUAL!

if /i "!ACTUAL!"=="%EXPECTED%" (
    echo Hash OK - copying to staging share.
    copy /y "%FILE%" "\\swdist.corp.example\staging\" >nul
    exit /b 0
) else (
    echo HASH MISMATCH - do not deploy this file.
    exit /b 1
)
