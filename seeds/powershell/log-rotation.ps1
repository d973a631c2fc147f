[CmdletBinding()]
param(
    [string]$LogRoot = 'C:\inetpub\logs\LogFiles',
    [int]$CompressAfterDays = 7,
    [int]$DeleteAfterDays = 90
)
$now = Get-Date
$compressed = 0; $deleted = 0
Get-ChildItem -Path $LogRoot -Filter *.log -Recurse -File |
    Where-Object { $_.LastWriteTime -lt $now.AddDays(-$CompressAfterDays) } |
    ForEach-Object {
        $zip = "$($_.FullName).zip"
        Compress-Archive -Path $_.FullName -DestinationPath $zip -CompressionLevel Optimal -Force
        (Get-Item $zip).LastWriteTime = $_.LastWriteTime
        Remove-Item $_.FullName
        $compressed++
    }
Get-ChildItem -Path $LogRoot -Filter *.zip -Recurse -File |
    Where-Object { $_.LastWriteTime -lt $now.AddDays(-$DeleteAfterDays) } |
    ForEach-Object { Remove-Item $_.FullName; $deleted++ }
Write-Verbose "Compressed $compressed, deleted $deleted archives under $LogRoot"
