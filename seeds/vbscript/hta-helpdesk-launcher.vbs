' Opens the helpdesk toolbox (a local HTA installed by the IT package) for the
' signed-in technician and records who opened it.
Option Explicit
Dim sh, fso, net, hta, logf
Set sh = CreateObject("WScript.Shell")
Set fso = CreateObject("Scripting.FileSystemObject")
Set net = CreateObject("WScript.Network")
hta = sh.ExpandEnvironmentStrings("%ProgramFiles%") & "\CorpIT\Toolbox\Toolbox.hta"
If Not fso.FileExists(hta) Then
    MsgBox "The IT toolbox is not installed on this computer.", vbExclamation, "IT Toolbox"
    WScript.Quit 1
End If
Set logf = fso.OpenTextFile("C:\ProgramData\CorpIT\toolbox-usage.log", 8, True)
logf.WriteLine Now & vbTab & net.UserDomain & "\" & net.UserName
logf.Close
sh.Run "mshta.exe """ & hta & """", 1, False
