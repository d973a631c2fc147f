# Audit local accounts and export the report (no credential material).
Get-LocalUser | Select-Object Name, Enabled, LastLogon | Export-Csv C:\Reports\users.csv
Get-Process lsass | Select-Object Id, StartTime
reg export HKLM\Software\Contoso C:\Reports\contoso.reg
