/*
  VBScript families (WSH droppers, HTA/VBA-like script bodies).
*/

rule VBS_Download_Execute
{
    meta:
        description = "VBScript dropper: XMLHTTP download, ADODB.Stream SaveToFile and execution through WScript.Shell or Shell.Application"
        severity = "critical"
        attack = "T1059.005,T1105"
        author = "automaldesc"
    strings:
        $co = "CreateObject" nocase
        $h1 = "XMLHTTP" nocase
        $h2 = "WinHttpRequest" nocase
        $s1 = "ADODB.Stream" nocase
        $s2 = "SaveToFile" nocase
        $s3 = "responseBody" nocase
        $e1 = "WScript.Shell" nocase
        $e2 = "Shell.Application" nocase
        $r1 = /\.Run[\s(]/ nocase
        $r2 = "ShellExecute" nocase
        $r3 = /\.Exec[\s(]/ nocase
    condition:
        $co and any of ($h*) and 2 of ($s*) and any of ($e*) and any of ($r*)
}

rule VBS_Execute_Decoded_Code
{
    meta:
        description = "VBScript passing code rebuilt from Chr() sequences, StrReverse or Replace to Execute/ExecuteGlobal"
        severity = "high"
        attack = "T1027,T1140,T1059.005"
        author = "automaldesc"
    strings:
        $x1 = /\bExecute(Global)?\s*(\(|\s)\s*(StrReverse|Replace|Chr[WB]?|[A-Za-z_][A-Za-z0-9_]{0,30}\s*\()/ nocase
        $x2 = /\bExecute(Global)?\s+[A-Za-z_][A-Za-z0-9_]{0,30}\s*(\r?\n|$|:)/ nocase
        $chr = /\bChr[WB]?\s*\(\s*[0-9&H]{1,5}\s*([-+*\/\\]\s*[0-9&H]{1,5}\s*)?\)/ nocase
        $rev = "StrReverse" nocase
        $spl = /Split\s*\([^)]{20,}\)/ nocase
    condition:
        any of ($x*) and (#chr > 20 or $rev or $spl)
}

rule VBS_Shell_Hidden_PowerShell
{
    meta:
        description = "VBScript starting powershell with a hidden window (Run ...,0) together with an encoded or download command"
        severity = "high"
        attack = "T1059.005,T1059.001,T1564.003"
        author = "automaldesc"
    strings:
        $sh = "WScript.Shell" nocase
        $ps = "powershell" nocase
        $run = /\.Run[\s(][^\r\n]{1,600},\s*0\s*(,\s*(True|False|0|1)\s*)?\)?\s*(\r?\n|$|:|')/ nocase
        $p1 = /\s-e(nc|ncodedcommand)?\s+[A-Za-z0-9+\/]{16}/ nocase
        $p2 = "DownloadString" nocase
        $p3 = "DownloadFile" nocase
        $p4 = /-w(indowstyle)?\s+h(idden)?/ nocase
        $p5 = /\biex\b/ nocase
        $p6 = "Invoke-WebRequest" nocase
    condition:
        $sh and $ps and $run and any of ($p*)
}

rule VBS_Run_Key_Persistence
{
    meta:
        description = "VBScript writing a Run/RunOnce registry value pointing at itself or a script host"
        severity = "high"
        attack = "T1547.001,T1059.005"
        author = "automaldesc"
    strings:
        $reg = "RegWrite" nocase
        $run = /CurrentVersion\\Run(Once)?\\/ nocase
        $v1 = "ScriptFullName" nocase
        $v2 = /(wscript|cscript|mshta|powershell)(\.exe)?/ nocase
        $v3 = "%APPDATA%" nocase
        $v4 = "%TEMP%" nocase
    condition:
        $reg and $run and any of ($v*)
}

rule VBS_Startup_Self_Copy
{
    meta:
        description = "VBScript copying itself (WScript.ScriptFullName) into the Startup folder"
        severity = "high"
        attack = "T1547.001,T1059.005"
        author = "automaldesc"
    strings:
        $fso = "Scripting.FileSystemObject" nocase
        $me = "ScriptFullName" nocase
        $cp = "CopyFile" nocase
        $d1 = "\\Start Menu\\Programs\\Startup" nocase
        $d2 = /SpecialFolders\s*\(\s*"(All)?Startup"\s*\)/ nocase
        $d3 = "shell:startup" nocase
    condition:
        $fso and $me and $cp and any of ($d*)
}

rule VBS_Disable_System_Tools
{
    meta:
        description = "VBScript setting policies that disable Task Manager, Registry Editor, the command prompt or System Restore"
        severity = "high"
        attack = "T1112,T1562.001"
        author = "automaldesc"
    strings:
        $reg = "RegWrite" nocase
        $p1 = "DisableTaskMgr" nocase
        $p2 = "DisableRegistryTools" nocase
        $p3 = "DisableCMD" nocase
        $p4 = "DisableSR" nocase
        $p5 = "NoControlPanel" nocase
        $p6 = "NoRun\"" nocase
    condition:
        $reg and 2 of ($p*)
}

rule VBS_WMI_Process_Download
{
    meta:
        description = "VBScript creating a process through WMI Win32_Process.Create that downloads or decodes a payload"
        severity = "high"
        attack = "T1047,T1059.005,T1105"
        author = "automaldesc"
    strings:
        $wmi = "winmgmts:" nocase
        $cls = "Win32_Process" nocase
        $cr = ".Create" nocase
        $p1 = "powershell" nocase
        $p2 = "certutil" nocase
        $p3 = "bitsadmin" nocase
        $p4 = "mshta" nocase
        $u1 = "http://" nocase
        $u2 = "https://" nocase
        $u3 = /\s-e(nc|ncodedcommand)?\s+[A-Za-z0-9+\/]{16}/ nocase
    condition:
        $wmi and $cls and $cr and any of ($p*) and any of ($u*)
}

rule VBS_Self_Delete
{
    meta:
        description = "VBScript deleting its own file after running (WScript.ScriptFullName passed to DeleteFile)"
        severity = "medium"
        attack = "T1070.004,T1059.005"
        author = "automaldesc"
    strings:
        $d = /DeleteFile\s*\(?\s*(WScript\.)?ScriptFullName/ nocase
        $d2 = /DeleteFile[^\r\n]{0,60}WScript\.ScriptFullName/ nocase
    condition:
        any of them
}
