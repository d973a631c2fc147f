param([int]$WarnDays = 30)
$limit = (Get-Date).AddDays($WarnDays)
$expiring = Get-ChildItem -Path Cert:\LocalMachine\My |
    Where-Object { $_.NotAfter -lt $limit -and $_.HasPrivateKey } |
    Select-Object Subject, Thumbprint, NotAfter, @{ n = 'DaysLeft'; e = { ($_.NotAfter - (Get-Date)).Days } }
if ($expiring) {
    $expiring | Format-Table -AutoSize | Out-String | Write-Warning
    exit 1
}
Write-Output "No certificates expire within $WarnDays days."
