Option Explicit
Dim net, sh, site, printers, p
Set net = CreateObject("WScript.Network")
Set sh = CreateObject("WScript.Shell")
site = UCase(Left(net.ComputerName, 3))
Select Case site
    Case "BER": printers = Array("\\print-ber.corp.example\BER-2OG-Color", "\\print-ber.corp.example\BER-3OG-BW")
    Case "MUC": printers = Array("\\print-muc.corp.example\MUC-Reception")
    Case Else:  printers = Array("\\print01.corp.example\Default-BW")
End Select
On Error Resume Next
For Each p In printers
    net.AddWindowsPrinterConnection p
    If Err.Number <> 0 Then
        sh.LogEvent 2, "Printer mapping failed for " & p & " (" & Hex(Err.Number) & ")"
        Err.Clear
    End If
Next
net.SetDefaultPrinter printers(0)
