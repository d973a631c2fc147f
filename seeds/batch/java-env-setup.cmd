@echo off
rem Sets JAVA_HOME / MAVEN_HOME for developer workstations after the
rem Temurin JDK and Maven zips have been unpacked by the software center.
setlocal EnableDelayedExpansion

set "JDK_ROOT=C:\Tools\jdk"
set "MVN_ROOT=C:\Tools\maven"

set "JDK="
for /d %%D in ("%JDK_ROOT%\jdk-21*") do set "JDK=%%~fD"
if not defined JDK (
    echo No JDK 21 found under %JDK_ROOT%
    exit /b 1
)
set "MVN="
for /d %%D in ("%MVN_ROOT%\apache-maven-3.9*") do set "MVN=%%~fD"

echo Using JDK   !JDK!
echo Using Maven !MVN!

setx JAVA_HOME "!JDK!" >nul
if defined MVN setx MAVEN_HOME "!MVN!" >nul

rem append to the user PATH only if not already present
for /f "tokens=2,*" %%A in ('reg query "HKCU\Environment" /v Path 2^>nul ^| find "Path"') do set "UPATH=%%B"
echo !UPATH! | find /i "!JDK!\bin" >nul || set "UPATH=!UPATH!;!JDK!\bin"
if defined MVN echo !UPATH! | find /i "!MVN!\bin" >nul || set "UPATH=!UPATH!;!MVN!\bin"
setx Path "!UPATH!" >nul

"!JDK!\bin\java.exe" -version
echo Open a new terminal for the changes to take effect.
endlocal
