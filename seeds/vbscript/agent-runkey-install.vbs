' Post-install step for the Tailwind VPN client: start the tray icon at logon.
Option Explicit
Dim sh, fso, exe
Set sh = CreateObject("WScript.Shell")
Set fso = CreateObject("Scripting.FileSystemObject")
exe = sh.ExpandEnvironmentStrings("%ProgramFiles%") & "\Tailwind\VPN\TailwindTray.exe"
If Not fso.FileExists(exe) Then
    WScript.Echo "TailwindTray.exe not found - is the client installed?"
    WScript.Quit 2
End If
sh.RegWrite "HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\Run\TailwindVPN", """" & exe & """ /tray", "REG_SZ"
sh.RegWrite "HKLM\SOFTWARE\Tailwind\VPN\InstallDate", CStr(Date), "REG_SZ"
WScript.Echo "Tailwind VPN tray registered for all users."
