' Downloads the approved PDF reader MSI from the vendor and installs it only if
' the SHA256 matches the value approved by the change board (CHG-2291).
Option Explicit
Const URL = "https://downloads.pdfreader.example/enterprise/PdfReader-x64.msi"
Const EXPECTED = "9e107d9d372bb6826bd81d3542a419d69e107d9d372bb6826bd81d3542a419d6"
Dim sh, fso, http, stm, msi, exec, out, lines, actual, rc
Set sh = CreateObject("WScript.Shell")
Set fso = CreateObject("Scripting.FileSystemObject")
msi = sh.ExpandEnvironmentStrings("%TEMP%") & "\PdfReader-x64.msi"
Set http = CreateObject("MSXML2.ServerXMLHTTP.6.0")
http.Open "GET", URL, False
http.Send
If http.Status <> 200 Then
    WScript.Echo "Download failed: HTTP " & http.Status
    WScript.Quit 1
End If
Set stm = CreateObject("ADODB.Stream")
stm.Type = 1: stm.Open: stm.Write http.ResponseBody: stm.SaveToFile msi, 2: stm.Close
Set exec = sh.Exec("certutil.exe -hashfile """ & msi & """ SHA256")
out = exec.StdOut.ReadAll
lines = Split(out, vbCrLf)
actual = LCase(Replace(lines(1), " ", ""))
If actual <> EXPECTED Then
    fso.DeleteFile msi
    WScript.Echo "Hash mismatch: " & actual
    WScript.Quit 3
End If
rc = sh.Run("msiexec.exe /i """ & msi & """ /qn /norestart /l*v ""%WINDIR%\Temp\PdfReader-install.log""", 0, True)
fso.DeleteFile msi
WScript.Quit rc
