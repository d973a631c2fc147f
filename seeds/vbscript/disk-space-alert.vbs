Option Explicit
Const THRESHOLD = 10
Dim wmi, disk, pct, msg, net, mail
Set wmi = GetObject("winmgmts:\\.\root\cimv2")
Set net = CreateObject("WScript.Network")
msg = ""
For Each disk In wmi.ExecQuery("SELECT DeviceID, FreeSpace, Size FROM Win32_LogicalDisk WHERE DriveType = 3")
    If disk.Size > 0 Then
        pct = Round(disk.FreeSpace / disk.Size * 100, 1)
        If pct < THRESHOLD Then msg = msg & disk.DeviceID & " " & pct & "% free (" & Round(disk.FreeSpace / 1073741824, 1) & " GB)" & vbCrLf
    End If
Next
If msg <> "" Then
    Set mail = CreateObject("CDO.Message")
    mail.From = "diskalert@corp.example"
    mail.To = "it-ops@corp.example"
    mail.Subject = "Low disk space on " & net.ComputerName
    mail.TextBody = msg
    mail.Configuration.Fields.Item("http://schemas.microsoft.com/cdo/configuration/sendusing") = 2
    mail.Configuration.Fields.Item("http://schemas.microsoft.com/cdo/configuration/smtpserver") = "smtp.corp.example"
    mail.Configuration.Fields.Update
    mail.Send
End If
