' Writes the signage player configuration. The INI is stored Base64-encoded in
' the deployment package so that the packaging tool leaves it untouched.
Option Explicit
Const CFG = "W3BsYXllcl0Kc2VydmVyPWh0dHBzOi8vc2lnbmFnZS5jb3JwLmV4YW1wbGUvYXBpCnJlZnJlc2g9OTAwCnNjcmVlbj1sb2JieQo="
Function DecodeBase64(s)
    Dim xml, node, stm
    Set xml = CreateObject("MSXML2.DOMDocument.6.0")
    Set node = xml.createElement("b64")
    node.dataType = "bin.base64"
    node.Text = s
    Set stm = CreateObject("ADODB.Stream")
    stm.Type = 1: stm.Open: stm.Write node.nodeTypedValue
    stm.Position = 0: stm.Type = 2: stm.Charset = "utf-8"
    DecodeBase64 = stm.ReadText
    stm.Close
End Function
Dim fso, f, target
Set fso = CreateObject("Scripting.FileSystemObject")
target = "C:\ProgramData\SignagePlayer\player.ini"
If Not fso.FolderExists("C:\ProgramData\SignagePlayer") Then fso.CreateFolder "C:\ProgramData\SignagePlayer"
Set f = fso.CreateTextFile(target, True)
f.Write DecodeBase64(CFG)
f.Close
WScript.Echo "Signage configuration written to " & target
