# Compares the local Administrators group against the approved list and reports drift.
param([string]$Approved = '\\inv01.corp.example\policy$\approved-admins.txt', [string]$Out = 'C:\ProgramData\Audit')
$allow = Get-Content $Approved | Where-Object { $_ -and -not $_.StartsWith('#') }
$members = Get-LocalGroupMember -Group 'Administrators' | Select-Object Name, ObjectClass, PrincipalSource
$unexpected = $members | Where-Object { $allow -notcontains $_.Name }
New-Item -ItemType Directory -Path $Out -Force | Out-Null
$members | Export-Csv (Join-Path $Out "admins-$env:COMPUTERNAME.csv") -NoTypeInformation
if ($unexpected) {
    $msg = 'Unapproved local admins: ' + (($unexpected | ForEach-Object Name) -join ', ')
    Write-EventLog -LogName Application -Source 'AdminAudit' -EventId 410 -EntryType Warning -Message $msg
}
