' Asset inventory - writes one CSV row per computer to the inventory share
Option Explicit
Dim wmi, net, fso, item, f, cs, bios, os, cpu, row, path
Set wmi = GetObject("winmgmts:{impersonationLevel=impersonate}!\\.\root\cimv2")
Set net = CreateObject("WScript.Network")
Set fso = CreateObject("Scripting.FileSystemObject")
For Each item In wmi.ExecQuery("SELECT Manufacturer, Model, TotalPhysicalMemory FROM Win32_ComputerSystem")
    cs = item.Manufacturer & ";" & item.Model & ";" & Round(item.TotalPhysicalMemory / 1073741824) & " GB"
Next
For Each item In wmi.ExecQuery("SELECT SerialNumber, SMBIOSBIOSVersion FROM Win32_BIOS")
    bios = item.SerialNumber & ";" & item.SMBIOSBIOSVersion
Next
For Each item In wmi.ExecQuery("SELECT Caption, BuildNumber, InstallDate FROM Win32_OperatingSystem")
    os = item.Caption & ";" & item.BuildNumber
Next
For Each item In wmi.ExecQuery("SELECT Name FROM Win32_Processor")
    cpu = Trim(item.Name)
Next
row = net.ComputerName & ";" & cs & ";" & bios & ";" & os & ";" & cpu & ";" & Now()
path = "\\inv01.corp.example\inventory$\" & net.ComputerName & ".csv"
Set f = fso.CreateTextFile(path, True)
f.WriteLine "Computer;Manufacturer;Model;RAM;Serial;BIOS;OS;Build;CPU;Collected"
f.WriteLine row
f.Close
