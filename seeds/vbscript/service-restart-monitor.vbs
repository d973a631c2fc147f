' Restarts the print spooler and the line-of-business service if they stopped.
Option Explicit
Dim wmi, svc, names, n, sh
Set wmi = GetObject("winmgmts:{impersonationLevel=impersonate}!\\.\root\cimv2")
Set sh = CreateObject("WScript.Shell")
names = Array("Spooler", "NorthwindOrderSvc")
For Each n In names
    For Each svc In wmi.ExecQuery("SELECT * FROM Win32_Service WHERE Name = '" & n & "'")
        If svc.State <> "Running" And svc.StartMode = "Auto" Then
            If svc.StartService() = 0 Then
                sh.LogEvent 0, "ServiceMonitor: restarted " & n
            Else
                sh.LogEvent 1, "ServiceMonitor: could not restart " & n
            End If
        End If
    Next
Next
