' Logon script - maps network drives by group membership
Option Explicit
Dim objNet, objSysInfo, objUser, strGroups, grp
Set objNet = CreateObject("WScript.Network")
Set objSysInfo = CreateObject("ADSystemInfo")
Set objUser = GetObject("LDAP://" & objSysInfo.UserName)
strGroups = ""
For Each grp In objUser.Groups
    strGroups = strGroups & "|" & LCase(grp.CN)
Next
Sub MapDrive(letter, share)
    On Error Resume Next
    objNet.RemoveNetworkDrive letter, True, True
    Err.Clear
    objNet.MapNetworkDrive letter, share, False
    If Err.Number <> 0 Then
        CreateObject("WScript.Shell").LogEvent 2, "Logon: failed to map " & letter & " to " & share & ": " & Err.Description
    End If
    On Error GoTo 0
End Sub
MapDrive "H:", "\\fs01.corp.example\home$\" & objNet.UserName
MapDrive "P:", "\\fs01.corp.example\public"
If InStr(strGroups, "|grp-finance") > 0 Then MapDrive "F:", "\\fs02.corp.example\finance"
If InStr(strGroups, "|grp-engineering") > 0 Then MapDrive "E:", "\\fs02.corp.example\engineering"
