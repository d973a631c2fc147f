' Lists local disks and free space (admin helper).
Option Explicit
Dim wmi, disks, d
Set wmi = GetObject("winmgmts:\\.\root\cimv2")
Set disks = wmi.ExecQuery("SELECT * FROM Win32_LogicalDisk WHERE DriveType = 3")
For Each d In disks
    WScript.Echo d.DeviceID & " " & FormatNumber(d.FreeSpace / 1073741824, 1) & " GB free"
Next
Set sh = CreateObject("WScript.Shell")
sh.Run "notepad.exe C:\Reports\disks.txt", 1, False
sh.RegWrite "HKCU\Software\Contoso\LastRun", Now, "REG_SZ"
