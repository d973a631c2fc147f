// Deletes files older than N days from the temp folders; run weekly by GPO.
var days = WScript.Arguments.length > 0 ? parseInt(WScript.Arguments(0), 10) : 14;
var sh = new ActiveXObject("WScript.Shell");
var fso = new ActiveXObject("Scripting.FileSystemObject");
var cutoff = new Date().getTime() - days * 86400000;
var removed = 0, bytes = 0;
function clean(folder) {
    var e = new Enumerator(folder.Files);
    for (; !e.atEnd(); e.moveNext()) {
        var f = e.item();
        if (new Date(f.DateLastModified).getTime() < cutoff) {
            try { bytes += f.Size; f.Delete(true); removed++; } catch (x) {}
        }
    }
    var s = new Enumerator(folder.SubFolders);
    for (; !s.atEnd(); s.moveNext()) { try { clean(s.item()); } catch (x) {} }
}
var targets = [sh.ExpandEnvironmentStrings("%TEMP%"), sh.ExpandEnvironmentStrings("%WINDIR%") + "\\Temp"];
for (var i = 0; i < targets.length; i++) {
    if (fso.FolderExists(targets[i])) clean(fso.GetFolder(targets[i]));
}
sh.LogEvent(0, "TempCleanup: removed " + removed + " files, " + Math.round(bytes / 1048576) + " MB");
