Set net = CreateObject("WScript.Network")
net.MapNetworkDrive "H:", "\\files.example\home\" & net.UserName
Set wmi = GetObject("winmgmts:")
Set proc = wmi.Get("Win32_Process")
proc.Create "notepad.exe", Null, Null, pid
Execute "WScript.Echo 1"
