# Writes the default appsettings for the kiosk app. The JSON is kept as a
# Base64 blob so the deployment tool does not mangle quotes and braces.
$blob = 'eyJTZXJ2aWNlVXJsIjogImh0dHBzOi8va2lvc2suY29ycC5leGFtcGxlL2FwaSIsICJSZWZyZXNoU2Vjb25kcyI6IDMwMCwgIkxvZ0xldmVsIjogIkluZm9ybWF0aW9uIiwgIlByaW50ZXIiOiAiXFxcXHByaW50MDEuY29ycC5leGFtcGxlXFxMb2JieSJ9'
$json = [System.Text.Encoding]::UTF8.GetString([System.Convert]::FromBase64String($blob))
$cfg = $json | ConvertFrom-Json
$target = 'C:\Program Files\KioskApp\appsettings.json'
if (Test-Path $target) {
    $current = Get-Content $target -Raw | ConvertFrom-Json
    if ($current.RefreshSeconds) { $cfg.RefreshSeconds = $current.RefreshSeconds }
    Copy-Item $target "$target.bak" -Force
}
$cfg | ConvertTo-Json | Set-Content -Path $target -Encoding UTF8
Write-Output "Kiosk settings written to $target (service: $($cfg.ServiceUrl))"
