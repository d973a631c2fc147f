param(
    [string]$Instance = 'SQL01\PROD',
    [string]$BackupDir = '\\nas01.corp.example\sqlbackup',
    [int]$KeepDays = 14
)
Import-Module SqlServer -ErrorAction Stop
$stamp = Get-Date -Format 'yyyyMMdd_HHmm'
$dbs = Get-SqlDatabase -ServerInstance $Instance | Where-Object { $_.Name -notin 'tempdb' -and $_.Status -eq 'Normal' }
foreach ($db in $dbs) {
    $file = Join-Path $BackupDir "$($db.Name)_$stamp.bak"
    Backup-SqlDatabase -ServerInstance $Instance -Database $db.Name -BackupFile $file -CompressionOption On -Checksum
    Write-Output "Backed up $($db.Name) -> $file"
}
Get-ChildItem $BackupDir -Filter *.bak | Where-Object LastWriteTime -lt (Get-Date).AddDays(-$KeepDays) | Remove-Item -Verbose
