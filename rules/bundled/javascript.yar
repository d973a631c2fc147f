/*
  JavaScript / JScript (Windows Script Host and Node.js) families.
*/

rule JS_WSH_Download_Execute
{
    meta:
        description = "JScript dropper: HTTP request object, ADODB.Stream save to disk and WScript.Shell/Shell.Application execution"
        severity = "critical"
        attack = "T1059.007,T1105"
        author = "automaldesc"
    strings:
        $h1 = "XMLHTTP" nocase
        $h2 = "WinHttpRequest" nocase
        $h3 = "ServerXMLHTTP" nocase
        $s1 = "ADODB.Stream" nocase
        $s2 = "SaveToFile" nocase
        $s3 = "responseBody" nocase
        $e1 = "WScript.Shell" nocase
        $e2 = "Shell.Application" nocase
        $r1 = ".Run(" nocase
        $r2 = "ShellExecute" nocase
        $r3 = ".Exec(" nocase
        $ax = "ActiveXObject" nocase
    condition:
        $ax and any of ($h*) and 2 of ($s*) and any of ($e*) and any of ($r*)
}

rule JS_WSH_Shell_Command_Exec
{
    meta:
        description = "JScript running cmd/powershell/mshta through a WScript.Shell ActiveX object with a hidden window"
        severity = "high"
        attack = "T1059.007,T1059.003"
        author = "automaldesc"
    strings:
        $ax = "ActiveXObject" nocase
        $sh = "WScript.Shell" nocase
        $run = /\.Run\s*\([^;\r\n]{1,400},\s*0\s*(,\s*(true|false|0|1)\s*)?\)/ nocase
        $c1 = "cmd.exe" nocase
        $c2 = "cmd /c" nocase
        $c3 = "powershell" nocase
        $c4 = "mshta" nocase
        $c5 = "regsvr32" nocase
        $c6 = "rundll32" nocase
        $c7 = "bitsadmin" nocase
        $c8 = "certutil" nocase
    condition:
        $ax and $sh and $run and any of ($c*)
}

rule JS_Eval_Decoded_String
{
    meta:
        description = "JavaScript passing a freshly decoded string (unescape, atob, fromCharCode, decodeURIComponent) straight to eval or Function"
        severity = "medium"
        attack = "T1027,T1140,T1059.007"
        author = "automaldesc"
    strings:
        $e1 = /\beval\s*\(\s*(window\.)?(unescape|atob|decodeURIComponent|String\.fromCharCode)\s*\(/ nocase
        $e2 = /new\s+Function\s*\(\s*(unescape|atob|decodeURIComponent|String\.fromCharCode)\s*\(/ nocase
        $e3 = /\beval\s*\(\s*function\s*\(\s*p\s*,\s*a\s*,\s*c\s*,\s*k\s*,\s*e\s*,\s*[dr]\s*\)/
    condition:
        any of them
}

rule JS_Obfuscator_Hex_Identifiers
{
    meta:
        description = "javascript-obfuscator style code: string array with rotated lookups through _0x-prefixed hex identifiers, used by script droppers"
        severity = "medium"
        attack = "T1027"
        author = "automaldesc"
    strings:
        $id = /\b_0x[0-9a-f]{4,6}\b/
        $arr = /var\s+_0x[0-9a-f]{4,6}\s*=\s*\[\s*['"]/
        $fn = /function\s+_0x[0-9a-f]{4,6}\s*\(/
        $rot = /\[\s*['"]push['"]\s*\]\s*\(\s*_0x[0-9a-f]{4,6}\s*\[\s*['"]shift['"]\s*\]\s*\(\s*\)\s*\)/
        $x1 = "ActiveXObject" nocase
        $x2 = "child_process" nocase
        $x3 = "WScript" nocase
        $x4 = "eval(" nocase
    condition:
        #id > 40 and ($arr or $fn or $rot) and any of ($x*)
}

rule JS_Node_Download_Execute
{
    meta:
        description = "Node.js script that fetches a remote file or script and executes it through child_process"
        severity = "high"
        attack = "T1059.007,T1105"
        author = "automaldesc"
    strings:
        $cp = "child_process" nocase
        $x1 = /\b(exec|execSync|spawn|spawnSync)\s*\(\s*['"`][^'"`]{0,200}(curl|wget)\s[^'"`]{0,200}\|\s*(ba|z)?sh\b/ nocase
        $x2 = /\b(exec|execSync|spawn|spawnSync)\s*\(\s*['"`][^'"`]{0,40}powershell[^'"`]{0,200}(DownloadString|DownloadFile|iwr|Invoke-WebRequest)/ nocase
        $x3 = /\b(exec|execSync)\s*\(\s*['"`][^'"`]{0,200}(curl|wget)[^'"`]{1,200}&&\s*chmod\s+(\+x|[0-7]?7[0-7][0-7])/ nocase
        $d1 = /https?\.get\s*\(/ nocase
        $d2 = "createWriteStream" nocase
        $d3 = /chmodSync\s*\([^)]{1,120}0o?7[0-7][0-7]/ nocase
        $d4 = /(execFile|spawn|exec)(Sync)?\s*\(/
    condition:
        $cp and (any of ($x*) or (all of ($d*)))
}

rule JS_WSH_Run_Key_Persistence
{
    meta:
        description = "JScript writing a Run key (RegWrite) that points at a script or executable"
        severity = "high"
        attack = "T1547.001,T1059.007"
        author = "automaldesc"
    strings:
        $reg = "RegWrite" nocase
        $run = /CurrentVersion\\\\Run(Once)?\\\\/ nocase
        $sh = "WScript.Shell" nocase
        $v1 = "ScriptFullName" nocase
        $v2 = /(wscript|cscript|mshta|powershell)(\.exe)?/ nocase
        $v3 = "%APPDATA%" nocase
        $v4 = ".exe" nocase
    condition:
        $reg and $run and $sh and any of ($v*)
}

rule JS_WSH_Startup_Self_Copy
{
    meta:
        description = "JScript copying itself (WScript.ScriptFullName) into the Startup folder or a user-writable folder for persistence"
        severity = "high"
        attack = "T1547.001,T1059.007"
        author = "automaldesc"
    strings:
        $fso = "Scripting.FileSystemObject" nocase
        $me = "ScriptFullName" nocase
        $cp1 = "CopyFile" nocase
        $cp2 = ".Copy(" nocase
        $d1 = "Startup" nocase
        $d2 = "%APPDATA%" nocase
        $d3 = "SpecialFolders" nocase
        $ax = "ActiveXObject" nocase
    condition:
        $ax and $fso and $me and any of ($cp*) and any of ($d*)
}

rule JS_Hidden_Iframe_Injection
{
    meta:
        description = "JavaScript injecting an invisible iframe or script tag from an encoded or concatenated URL (drive-by redirector)"
        severity = "medium"
        attack = "T1189"
        author = "automaldesc"
    strings:
        $w1 = "document.write" nocase
        $w2 = "createElement(" nocase
        $f1 = /<iframe[^>]{0,200}(width\s*=\s*['"]?[01]['" ]|height\s*=\s*['"]?[01]['" ]|visibility\s*:\s*hidden|display\s*:\s*none)/ nocase
        $f2 = /\.style\.(visibility\s*=\s*['"]hidden|display\s*=\s*['"]none|width\s*=\s*['"][01]px)/ nocase
        $fr = /(iframe|["']ifr["']\s*\+\s*["']ame)/ nocase
        $o1 = "unescape(" nocase
        $o2 = "fromCharCode" nocase
        $o3 = "atob(" nocase
    condition:
        any of ($w*) and ($f1 or ($f2 and $fr)) and any of ($o*)
}

rule JS_Payment_Skimmer
{
    meta:
        description = "Web skimmer: reads payment card fields and sends them out encoded (Magecart style)"
        severity = "high"
        attack = "T1056.003,T1041"
        author = "automaldesc"
    strings:
        $c1 = /['"\[](cc_?number|card_?number|cardnum|cc-number|billing\[cc)/ nocase
        $c2 = /['"\[](cvv2?|cvc|cc_cid|card_?code|security_?code)/ nocase
        $c3 = /['"\[](cc_exp|exp_?month|expiry|expiration)/ nocase
        $g1 = "querySelector" nocase
        $g2 = "getElementById" nocase
        $g3 = "getElementsByName" nocase
        $s1 = "XMLHttpRequest" nocase
        $s2 = /\bfetch\s*\(/
        $s3 = /new\s+Image\s*\(\s*\)/ nocase
        $s4 = "sendBeacon" nocase
        $enc1 = "btoa(" nocase
        $enc2 = "JSON.stringify" nocase
        $enc3 = "encodeURIComponent" nocase
        $hook1 = /addEventListener\s*\(\s*['"](click|submit|change|blur)/ nocase
        $hook2 = /\.on(click|submit|change|blur)\s*=/ nocase
    condition:
        $c1 and ($c2 or $c3) and any of ($g*) and any of ($s*) and any of ($enc*) and any of ($hook*)
}

rule JS_JScript_Conditional_Compilation_Loader
{
    meta:
        description = "JScript hiding its loader inside a conditional-compilation block (/*@cc_on ... @*/) together with eval or ActiveX objects"
        severity = "medium"
        attack = "T1027,T1059.007"
        author = "automaldesc"
    strings:
        $cc = "/*@cc_on" nocase
        $end = "@*/"
        $x1 = /\beval\s*\(/
        $x2 = "ActiveXObject" nocase
        $x3 = "WScript" nocase
        $x4 = /\bnew\s+Function\s*\(/
    condition:
        $cc and $end and any of ($x*)
}

rule JS_WSH_Env_Dropper
{
    meta:
        description = "JScript dropper resolving %TEMP%/%APPDATA% through ExpandEnvironmentStrings and writing or running a file there"
        severity = "high"
        attack = "T1059.007,T1105"
        author = "automaldesc"
    strings:
        $ax = "ActiveXObject" nocase
        $env = /ExpandEnvironmentStrings['"\]]*\s*\(\s*['"]%(TEMP|TMP|APPDATA|PUBLIC|USERPROFILE|ALLUSERSPROFILE|LOCALAPPDATA)%/ nocase
        $r1 = /\.Run\s*\(/
        $r2 = "ShellExecute" nocase
        $r3 = "SaveToFile" nocase
        $r4 = /\.Exec\s*\(/
        $r5 = "CreateTextFile" nocase
    condition:
        $ax and $env and any of ($r*)
}
