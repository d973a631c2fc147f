param([string]$Share = '\\inv01.corp.example\inventory$')
$cs   = Get-CimInstance Win32_ComputerSystem
$bios = Get-CimInstance Win32_BIOS
$os   = Get-CimInstance Win32_OperatingSystem
$cpu  = Get-CimInstance Win32_Processor | Select-Object -First 1
$disk = Get-CimInstance Win32_DiskDrive | Measure-Object -Property Size -Sum
$nic  = Get-CimInstance Win32_NetworkAdapterConfiguration -Filter 'IPEnabled = True' | Select-Object -First 1
$rec = [pscustomobject]@{
    ComputerName = $env:COMPUTERNAME
    Manufacturer = $cs.Manufacturer
    Model        = $cs.Model
    Serial       = $bios.SerialNumber
    OS           = $os.Caption
    Build        = $os.BuildNumber
    CPU          = $cpu.Name
    RamGB        = [math]::Round($cs.TotalPhysicalMemory / 1GB)
    DiskGB       = [math]::Round($disk.Sum / 1GB)
    MAC          = $nic.MACAddress
    LastBoot     = $os.LastBootUpTime
    Collected    = (Get-Date).ToString('s')
}
$rec | Export-Csv -Path (Join-Path $Share "$env:COMPUTERNAME.csv") -NoTypeInformation -Force
