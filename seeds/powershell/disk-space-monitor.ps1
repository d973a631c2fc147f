param(
    [int]$ThresholdPercent = 15,
    [string]$SmtpServer = 'smtp.corp.example',
    [string]$To = 'it-ops@corp.example'
)
$low = Get-CimInstance -ClassName Win32_LogicalDisk -Filter 'DriveType = 3' | ForEach-Object {
    $free = [math]::Round(($_.FreeSpace / $_.Size) * 100, 1)
    [pscustomobject]@{
        Drive   = $_.DeviceID
        SizeGB  = [math]::Round($_.Size / 1GB, 1)
        FreeGB  = [math]::Round($_.FreeSpace / 1GB, 1)
        FreePct = $free
    }
} | Where-Object FreePct -lt $ThresholdPercent
if ($low) {
    $body = $low | Format-Table -AutoSize | Out-String
    Send-MailMessage -SmtpServer $SmtpServer -From "monitor@$env:COMPUTERNAME.corp.example" -To $To `
        -Subject "[DISK] $env:COMPUTERNAME below $ThresholdPercent% free" -Body $body
    Write-EventLog -LogName Application -Source 'DiskMonitor' -EventId 300 -EntryType Warning -Message $body
}
