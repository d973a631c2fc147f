@echo off
rem Release build for the Inventory desktop client.
rem Runs on the build agents (VS 2022 Build Tools) from the repo root.
setlocal

set "CONFIG=Release"
set "PLATFORM=x64"
set "OUT=%~dp0artifacts"
set "VSWHERE=%ProgramFiles(x86)%\Microsoft Visual Studio\Installer\vswhere.exe"

for /f "usebackq tokens=*" %%i in (`"%VSWHERE%" -latest -products * -requires Microsoft.Component.MSBuild -property installationPath`) do set "VSDIR=%%i"
if not defined VSDIR (
    echo Visual Studio Build Tools not found.
    exit /b 1
)
call "%VSDIR%\VC\Auxiliary\Build\vcvars64.bat" >nul

if exist "%OUT%" rmdir /s /q "%OUT%"
mkdir "%OUT%"

echo === Restoring NuGet packages
nuget restore Inventory.sln -NonInteractive || exit /b 1

echo === Building %CONFIG%^|%PLATFORM%
msbuild Inventory.sln /m /nologo /v:minimal /p:Configuration=%CONFIG% /p:Platform=%PLATFORM% /p:OutDir="%OUT%\bin\\" || exit /b 1

echo === Running unit tests
vstest.console.exe "%OUT%\bin\Inventory.Tests.dll" /Logger:trx /ResultsDirectory:"%OUT%\tests" || exit /b 1

echo === Packaging
powershell -NoProfile -Command "Compress-Archive -Path '%OUT%\bin\*' -DestinationPath '%OUT%\Inventory-%CONFIG%.zip' -Force"
certutil -hashfile "%OUT%\Inventory-%CONFIG%.zip" SHA256 > "%OUT%\Inventory-%CONFIG%.zip.sha256"

echo Build complete: %OUT%
endlocal
