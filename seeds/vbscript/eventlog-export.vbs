' Exports System log errors of the last 24 hours to a CSV for the morning check.
Option Explicit
Dim wmi, evts, e, fso, out, since, dt
Set wmi = GetObject("winmgmts:{impersonationLevel=impersonate,(Security)}!\\.\root\cimv2")
Set dt = CreateObject("WbemScripting.SWbemDateTime")
dt.SetVarDate DateAdd("h", -24, Now), True
since = dt.Value
Set evts = wmi.ExecQuery("SELECT * FROM Win32_NTLogEvent WHERE Logfile = 'System' AND EventType = 1 AND TimeWritten >= '" & since & "'")
Set fso = CreateObject("Scripting.FileSystemObject")
Set out = fso.CreateTextFile("C:\Reports\system-errors.csv", True)
out.WriteLine "Time,Source,EventCode,Message"
For Each e In evts
    out.WriteLine e.TimeWritten & "," & e.SourceName & "," & e.EventCode & ",""" & Replace(Replace(e.Message & "", vbCrLf, " "), """", "'") & """"
Next
out.Close
