' Creates new-hire accounts from the HR CSV export (Name;Surname;Department).
Option Explicit
Dim fso, f, line, cols, ou, usr, sam, count
Set fso = CreateObject("Scripting.FileSystemObject")
Set ou = GetObject("LDAP://OU=NewHires,OU=Users,DC=corp,DC=example")
Set f = fso.OpenTextFile(WScript.Arguments(0), 1)
f.SkipLine
count = 0
Do Until f.AtEndOfStream
    line = Trim(f.ReadLine)
    If line <> "" Then
        cols = Split(line, ";")
        sam = LCase(Left(cols(0), 1) & cols(1))
        Set usr = ou.Create("user", "CN=" & cols(0) & " " & cols(1))
        usr.Put "sAMAccountName", sam
        usr.Put "userPrincipalName", sam & "@corp.example"
        usr.Put "givenName", cols(0)
        usr.Put "sn", cols(1)
        usr.Put "department", cols(2)
        usr.SetInfo
        usr.SetPassword "Welcome-" & Year(Date) & "!" & Int(Rnd * 9000 + 1000)
        usr.Put "pwdLastSet", 0
        usr.AccountDisabled = False
        usr.SetInfo
        count = count + 1
    End If
Loop
f.Close
WScript.Echo count & " accounts created."
