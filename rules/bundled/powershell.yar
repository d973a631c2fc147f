/*
  PowerShell families. Written for automaldesc; plain YARA (no modules,
  includes or external variables) accepted by yara 4.2.
*/

rule PS_Download_Cradle_IEX
{
    meta:
        description = "PowerShell download cradle: remote content fetched and passed to Invoke-Expression"
        severity = "high"
        attack = "T1059.001,T1105"
        author = "automaldesc"
    strings:
        $c1 = /\b(iex|Invoke-Expression)\s*[(\s]\s*\(*\s*(New-Object\s+(System\.)?Net\.WebClient\s*\)\s*\.\s*Download(String|Data)|iwr\b|irm\b|Invoke-WebRequest|Invoke-RestMethod|\$[A-Za-z0-9_]{1,40}\.Download(String|Data))/ nocase
        $c2 = /Download(String|Data)\s*\([^\r\n]{0,300}\)\s*\)?\s*\|\s*(iex|Invoke-Expression)\b/ nocase
        $c3 = /\b(iwr|irm|Invoke-WebRequest|Invoke-RestMethod)\s[^\r\n|]{0,300}\|\s*(iex|Invoke-Expression)\b/ nocase
        $c4 = /\$[A-Za-z0-9_]{1,40}\s*=\s*[^\r\n]{0,80}\.Download(String|Data)\s*\([^\r\n]{0,300}[;\r\n]{1,3}\s*(iex|Invoke-Expression)\s*\(?\s*\$/ nocase
        $c5 = /&\s*\(\s*['"]i['"]?\s*\+?\s*['"]?ex['"]\s*\)\s*[^\r\n]{0,40}Download(String|Data)/ nocase
        $ok1 = /(iex|Invoke-Expression)\s*\(*\s*New-Object\s+(System\.)?Net\.WebClient\s*\)\s*\.\s*DownloadString\s*\(\s*['"]{1,2}https:\/\/(community\.)?chocolatey\.org\/install\.ps1/ nocase
    condition:
        filesize < 5MB and (#c1 + #c2 + #c3 + #c4 + #c5) > #ok1
}

rule PS_EncodedCommand_Hidden
{
    meta:
        description = "powershell launched with an encoded command together with hidden-window, no-profile or policy-bypass switches"
        severity = "high"
        attack = "T1059.001,T1027.010,T1564.003"
        author = "automaldesc"
    strings:
        $ps = "powershell" nocase
        $enc = /\s-e(nc?|ncodedcommand|c)?\s+[A-Za-z0-9+\/]{16}/ nocase
        $h1 = /\s-w(i(n(d(o(w(s(t(y(l(e)?)?)?)?)?)?)?)?)?)?\s+(h(idden)?|1)\b/ nocase
        $h2 = /\s-nop(rofile)?\b/ nocase
        $h3 = /\s-noni(nteractive)?\b/ nocase
        $h4 = /\s-(ep|ex|exec|executionpolicy)\s+(bypass|unrestricted)/ nocase
    condition:
        $ps and $enc and any of ($h*)
}

rule PS_Shellcode_Injection_WinAPI
{
    meta:
        description = "PowerShell that declares VirtualAlloc/CreateThread (or WriteProcessMemory) through P/Invoke to run shellcode in memory"
        severity = "critical"
        attack = "T1055,T1620,T1059.001"
        author = "automaldesc"
    strings:
        $imp1 = "DllImport" nocase
        $imp2 = "GetDelegateForFunctionPointer" nocase
        $imp3 = "Add-Type" nocase
        $alloc1 = "VirtualAlloc" nocase
        $alloc2 = "VirtualProtect" nocase
        $run1 = "CreateThread" nocase
        $run2 = "CreateRemoteThread" nocase
        $run3 = "WriteProcessMemory" nocase
        $run4 = "QueueUserAPC" nocase
    condition:
        any of ($imp*) and any of ($alloc*) and any of ($run*)
}

rule PS_Reflective_Assembly_Load
{
    meta:
        description = "PowerShell that loads a .NET assembly from a base64 or downloaded byte array ([Reflection.Assembly]::Load)"
        severity = "high"
        attack = "T1620,T1140,T1059.001"
        author = "automaldesc"
    strings:
        $load1 = /Reflection\.Assembly\]\s*::\s*Load\s*\(/ nocase
        $load2 = /\[AppDomain\]\s*::\s*CurrentDomain\.Load\s*\(/ nocase
        $src1 = "FromBase64String" nocase
        $src2 = "DownloadData" nocase
        $src3 = "ReadAllBytes" nocase
        $inv1 = ".EntryPoint" nocase
        $inv2 = ".Invoke(" nocase
        $inv3 = "GetType(" nocase
    condition:
        any of ($load*) and any of ($src*) and any of ($inv*)
}

rule PS_AMSI_Bypass
{
    meta:
        description = "PowerShell tampering with AMSI (amsiInitFailed flag, AmsiScanBuffer patch, amsi context)"
        severity = "critical"
        attack = "T1562.001"
        author = "automaldesc"
    strings:
        $a1 = "AmsiUtils" nocase
        $a2 = "amsiInitFailed" nocase
        $a3 = "AmsiScanBuffer" nocase
        $a4 = "amsiContext" nocase
        $a5 = "amsi.dll" nocase
        $p1 = "SetValue(" nocase
        $p2 = "VirtualProtect" nocase
        $p3 = "GetField(" nocase
        $p4 = "Marshal]::Copy" nocase
        $p5 = "GetProcAddress" nocase
    condition:
        (2 of ($a*) and any of ($p*)) or ($a1 and $a2)
}

rule PS_Compressed_Base64_Execute
{
    meta:
        description = "PowerShell decompressing a base64 blob (Gzip/Deflate stream) and executing the result"
        severity = "high"
        attack = "T1027,T1140,T1059.001"
        author = "automaldesc"
    strings:
        $b64 = "FromBase64String" nocase
        $c1 = "GzipStream" nocase
        $c2 = "DeflateStream" nocase
        $c3 = "IO.Compression" nocase
        $x1 = /\biex\b/ nocase
        $x2 = "Invoke-Expression" nocase
        $x3 = "ScriptBlock]::Create" nocase
        $x5 = ".InvokeScript(" nocase
    condition:
        $b64 and any of ($c*) and any of ($x*)
}

rule PS_XOR_Decode_Execute
{
    meta:
        description = "PowerShell XOR-decoding a base64 payload before executing it"
        severity = "high"
        attack = "T1027,T1140,T1059.001"
        author = "automaldesc"
    strings:
        $b64 = "FromBase64String" nocase
        $xor = "-bxor" nocase
        $x1 = /\biex\b/ nocase
        $x2 = "Invoke-Expression" nocase
        $x3 = "ScriptBlock]::Create" nocase
        $x4 = "Reflection.Assembly]::Load" nocase
    condition:
        $b64 and $xor and any of ($x*)
}

rule PS_Invoke_Obfuscation_Launcher
{
    meta:
        description = "Invoke-Obfuscation style launcher rebuilding 'iex' from $ShellId, $PSHome, $env:ComSpec or $VerbosePreference characters"
        severity = "high"
        attack = "T1027.010,T1059.001"
        author = "automaldesc"
    strings:
        $s1 = /\$shellid\[1\]\s*\+\s*\$shellid\[13\]/ nocase
        $s2 = /\$pshome\[\s*4\s*\]\s*\+\s*\$pshome\[\s*(30|34)\s*\]/ nocase
        $s3 = /\$env:comspec\[\s*4\s*,\s*(15|24|26)\s*,\s*25\s*\]/ nocase
        $s4 = /\$verbosepreference\.tostring\(\)\s*\)\[\s*1\s*,\s*3\s*\]/ nocase
        $s5 = /\(\s*gv\s+['"]\*mdr\*['"]\s*\)\.name\[\s*3\s*,\s*11\s*,\s*2\s*\]/ nocase
        $s6 = /\.\s*\(\s*\$env:comspec/ nocase
    condition:
        any of them
}

rule PS_CharCode_Join_Execute
{
    meta:
        description = "PowerShell rebuilding a command from many [char] codes and executing it"
        severity = "medium"
        attack = "T1027.010,T1059.001"
        author = "automaldesc"
    strings:
        $c = /\[char\]\s*\(?\s*(0x[0-9a-f]{2}|[0-9]{2,3})/ nocase
        $x1 = /\biex\b/ nocase
        $x2 = "Invoke-Expression" nocase
        $x3 = "ScriptBlock]::Create" nocase
    condition:
        #c > 25 and any of ($x*)
}

rule PS_Keylogger_GetAsyncKeyState
{
    meta:
        description = "PowerShell keylogger polling GetAsyncKeyState and mapping virtual keys"
        severity = "high"
        attack = "T1056.001"
        author = "automaldesc"
    strings:
        $k1 = "GetAsyncKeyState" nocase
        $k2 = "GetKeyboardState" nocase
        $k3 = "MapVirtualKey" nocase
        $k4 = "ToUnicode" nocase
        $k5 = "GetForegroundWindow" nocase
        $d = "DllImport" nocase
        $o1 = "Add-Content" nocase
        $o2 = "Out-File" nocase
        $o3 = "AppendAllText" nocase
        $o4 = "SmtpClient" nocase
        $o5 = "Send-MailMessage" nocase
        $o6 = "UploadString" nocase
        $o7 = "Invoke-RestMethod" nocase
        $o8 = "Invoke-WebRequest" nocase
    condition:
        $k1 and $d and 1 of ($k2, $k3, $k4, $k5) and any of ($o*)
}

rule PS_Hidden_Scheduled_Task
{
    meta:
        description = "PowerShell registering a scheduled task whose action runs a hidden or encoded PowerShell command"
        severity = "high"
        attack = "T1053.005,T1059.001"
        author = "automaldesc"
    strings:
        $t1 = "Register-ScheduledTask" nocase
        $t2 = "New-ScheduledTaskAction" nocase
        $t3 = /schtasks(\.exe)?\s+\/create/ nocase
        $p1 = /-w(indowstyle)?\s+h(idden)?\b/ nocase
        $p2 = /\s-e(nc|ncodedcommand)\s+[A-Za-z0-9+\/]{16}/ nocase
        $p3 = "DownloadString" nocase
        $p4 = /\biex\b/ nocase
    condition:
        any of ($t*) and any of ($p*)
}

rule PS_Registry_Run_Key_Persistence
{
    meta:
        description = "PowerShell writing a Run/RunOnce value that launches a script host, encoded command or a file in a user-writable folder"
        severity = "high"
        attack = "T1547.001,T1112"
        author = "automaldesc"
    strings:
        $run = /CurrentVersion\\Run(Once)?['"\\]/ nocase
        $w1 = "Set-ItemProperty" nocase
        $w2 = "New-ItemProperty" nocase
        $w3 = ".SetValue(" nocase
        $v1 = /powershell(\.exe)?[^\r\n]{0,80}\s-(w|windowstyle|e|enc|encodedcommand)\s/ nocase
        $v2 = /(wscript|cscript|mshta|rundll32|regsvr32)(\.exe)?\s/ nocase
        $v3 = /\$env:(appdata|temp|public|localappdata)/ nocase
        $v4 = "\\AppData\\" nocase
    condition:
        $run and any of ($w*) and any of ($v*)
}
