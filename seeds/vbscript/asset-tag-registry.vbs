' Stores the BIOS serial number as the asset tag read by the helpdesk agent.
Option Explicit
Dim wmi, b, serial, sh
Set wmi = GetObject("winmgmts:\\.\root\cimv2")
For Each b In wmi.ExecQuery("SELECT SerialNumber FROM Win32_BIOS")
    serial = Trim(b.SerialNumber)
Next
If serial = "" Or LCase(serial) = "to be filled by o.e.m." Then serial = "UNKNOWN-" & CreateObject("WScript.Network").ComputerName
Set sh = CreateObject("WScript.Shell")
sh.RegWrite "HKLM\SOFTWARE\CorpIT\Asset\Tag", serial, "REG_SZ"
sh.RegWrite "HKLM\SOFTWARE\CorpIT\Asset\Updated", CStr(Now), "REG_SZ"
WScript.Echo "Asset tag set to " & serial
