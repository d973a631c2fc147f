' Lists members of the local Administrators group and flags unexpected ones.
Option Explicit
Dim net, grp, m, allowed, report, sh
Set net = CreateObject("WScript.Network")
Set sh = CreateObject("WScript.Shell")
allowed = "|administrator|domain admins|helpdesk-l2|laps-admin|"
Set grp = GetObject("WinNT://" & net.ComputerName & "/Administrators,group")
report = ""
For Each m In grp.Members
    If InStr(allowed, "|" & LCase(m.Name) & "|") = 0 Then report = report & m.Name & " (" & m.ADsPath & ")" & vbCrLf
Next
If report <> "" Then
    sh.LogEvent 2, "AdminAudit: unexpected local administrators on " & net.ComputerName & vbCrLf & report
    WScript.Echo report
End If
