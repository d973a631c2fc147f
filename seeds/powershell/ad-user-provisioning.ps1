#Requires -Modules ActiveDirectory
param(
    [Parameter(Mandatory)][string]$CsvPath,
    [string]$OU = 'OU=Staff,OU=Users,DC=corp,DC=example',
    [string]$Domain = 'corp.example'
)
Import-Module ActiveDirectory
$report = @()
foreach ($row in Import-Csv -Path $CsvPath) {
    $sam = ($row.GivenName.Substring(0,1) + $row.Surname).ToLower() -replace '[^a-z]', ''
    if (Get-ADUser -Filter "SamAccountName -eq '$sam'" -ErrorAction SilentlyContinue) {
        $report += [pscustomobject]@{ User = $sam; Result = 'exists' }
        continue
    }
    $pw = -join ((48..57) + (65..90) + (97..122) | Get-Random -Count 16 | ForEach-Object { [char]$_ })
    New-ADUser -Name "$($row.GivenName) $($row.Surname)" -GivenName $row.GivenName -Surname $row.Surname `
        -SamAccountName $sam -UserPrincipalName "$sam@$Domain" -Department $row.Department `
        -Title $row.Title -Path $OU -AccountPassword (ConvertTo-SecureString $pw -AsPlainText -Force) `
        -ChangePasswordAtLogon $true -Enabled $true
    foreach ($g in ($row.Groups -split ';')) { if ($g) { Add-ADGroupMember -Identity $g -Members $sam } }
    $report += [pscustomobject]@{ User = $sam; Result = 'created' }
}
$report | Export-Csv -Path ($CsvPath -replace '\.csv$', '-result.csv') -NoTypeInformation
