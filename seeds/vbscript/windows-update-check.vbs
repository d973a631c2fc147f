' Lists pending software updates via the Windows Update Agent API (no install).
Option Explicit
Dim session, searcher, result, i, u, report
Set session = CreateObject("Microsoft.Update.Session")
Set searcher = session.CreateUpdateSearcher()
searcher.Online = True
Set result = searcher.Search("IsInstalled=0 and Type='Software' and IsHidden=0")
report = result.Updates.Count & " pending update(s):" & vbCrLf
For i = 0 To result.Updates.Count - 1
    Set u = result.Updates.Item(i)
    report = report & " - " & u.Title & " [" & u.MsrcSeverity & "]" & vbCrLf
Next
WScript.Echo report
If result.Updates.Count > 0 Then WScript.Quit 1
