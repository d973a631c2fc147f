' Deletes application logs older than 30 days (scheduled weekly)
Option Explicit
Const MAX_AGE = 30
Dim fso, folder, f, count, roots, r
Set fso = CreateObject("Scripting.FileSystemObject")
roots = Array("D:\Apps\OrderService\logs", "D:\Apps\ReportEngine\logs", "C:\inetpub\logs\LogFiles\W3SVC1")
count = 0
For Each r In roots
    If fso.FolderExists(r) Then
        Set folder = fso.GetFolder(r)
        For Each f In folder.Files
            If (LCase(fso.GetExtensionName(f.Name)) = "log" Or LCase(fso.GetExtensionName(f.Name)) = "txt") _
               And DateDiff("d", f.DateLastModified, Now) > MAX_AGE Then
                f.Delete True
                count = count + 1
            End If
        Next
    End If
Next
WScript.Echo "Deleted " & count & " log files older than " & MAX_AGE & " days."
