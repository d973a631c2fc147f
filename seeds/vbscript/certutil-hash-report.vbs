' Writes SHA256 hashes of all scripts on the NETLOGON share for the weekly integrity report.
Option Explicit
Dim sh, fso, share, rep, f, ex, lines
Set sh = CreateObject("WScript.Shell")
Set fso = CreateObject("Scripting.FileSystemObject")
share = "\\dc01.corp.example\NETLOGON"
Set rep = fso.CreateTextFile("C:\Reports\netlogon-hashes-" & Year(Date) & Right("0" & Month(Date), 2) & Right("0" & Day(Date), 2) & ".txt", True)
For Each f In fso.GetFolder(share).Files
    Set ex = sh.Exec("certutil -hashfile """ & f.Path & """ SHA256")
    Do While ex.Status = 0: WScript.Sleep 50: Loop
    lines = Split(ex.StdOut.ReadAll, vbCrLf)
    If UBound(lines) >= 1 Then rep.WriteLine Replace(lines(1), " ", "") & "  " & f.Name
Next
rep.Close
