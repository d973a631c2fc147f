# CIS-style baseline applied by the build team after imaging.
$settings = @(
    @{ Path = 'HKLM:\SYSTEM\CurrentControlSet\Services\LanmanServer\Parameters'; Name = 'SMB1'; Value = 0 },
    @{ Path = 'HKLM:\SYSTEM\CurrentControlSet\Control\Lsa'; Name = 'RunAsPPL'; Value = 1 },
    @{ Path = 'HKLM:\SYSTEM\CurrentControlSet\Control\Lsa'; Name = 'LmCompatibilityLevel'; Value = 5 },
    @{ Path = 'HKLM:\SOFTWARE\Policies\Microsoft\Windows\PowerShell\ScriptBlockLogging'; Name = 'EnableScriptBlockLogging'; Value = 1 },
    @{ Path = 'HKLM:\SOFTWARE\Microsoft\Windows\CurrentVersion\Policies\System'; Name = 'EnableLUA'; Value = 1 },
    @{ Path = 'HKLM:\SOFTWARE\Policies\Microsoft\Windows NT\Terminal Services'; Name = 'UserAuthentication'; Value = 1 }
)
foreach ($s in $settings) {
    if (-not (Test-Path $s.Path)) { New-Item -Path $s.Path -Force | Out-Null }
    $cur = (Get-ItemProperty -Path $s.Path -Name $s.Name -ErrorAction SilentlyContinue).$($s.Name)
    if ($cur -ne $s.Value) {
        Set-ItemProperty -Path $s.Path -Name $s.Name -Value $s.Value -Type DWord
        Write-Output "Set $($s.Path)\$($s.Name) = $($s.Value) (was $cur)"
    }
}
Disable-WindowsOptionalFeature -Online -FeatureName SMB1Protocol -NoRestart -ErrorAction SilentlyContinue | Out-Null
Set-MpPreference -PUAProtection Enabled -EnableNetworkProtection Enabled
