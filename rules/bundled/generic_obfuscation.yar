/*
  Language-independent obfuscation markers.
*/

rule Gen_Base64_UTF16_PowerShell_Keywords
{
    meta:
        description = "base64 of UTF-16LE PowerShell keywords (IEX, Invoke-Expression, New-Object Net.WebClient, DownloadString, FromBase64String) embedded in any script"
        severity = "high"
        attack = "T1027,T1059.001"
        author = "automaldesc"
    strings:
        $k1 = "SQBFAFgA"
        $k2 = "SQBuAHYAbwBrAGUALQBFAHgAcAByAGUAcwBzAGkAbwBuA"
        $k3 = "AEkARQBYA"
        $k4 = "aQBlAHgAIA"
        $k5 = "TgBlAHcALQBPAGIAagBlAGMAdA"
        $k6 = "AE4AZQB0AC4AVwBlAGIAQwBsAGkAZQBuAHQA"
        $k7 = "RABvAHcAbgBsAG8AYQBkAFMAdAByAGkAbgBnA"
        $k8 = "AEQAbwB3AG4AbABvAGEAZABTAHQAcgBpAG4AZw"
        $k9 = "RgByAG8AbQBCAGEAcwBlADYANABTAHQAcgBpAG4AZw"
        $k10 = "AEYAcgBvAG0AQgBhAHMAZQA2ADQAUwB0AHIAaQBuAGcA"
        $k11 = "ZgByAG8AbQBiAGEAcwBlADYANABzAHQAcgBpAG4AZw"
        $k12 = "JABzAD0ATgBlAHcALQBPAGIAagBlAGMAdAAgAEkATwAuAE0AZQBtAG8AcgB5AFMAdAByAGUAYQBtA"
        $k13 = "SW52b2tlLUV4cHJlc3Npb24"
        $k14 = "RG93bmxvYWRTdHJpbmco"
        $k15 = "U3lzdGVtLk5ldC5XZWJDbGllbnQ"
    condition:
        any of them
}

rule Gen_Reversed_Command_Execution
{
    meta:
        description = "reversed command keywords (e.g. 'llehsrewop', 'noisserpxE-ekovnI', 'gnirtSdaolnwoD') that are reversed back and executed"
        severity = "high"
        attack = "T1027.010"
        author = "automaldesc"
    strings:
        $r1 = "llehsrewop" nocase
        $r2 = "noisserpxE-ekovnI" nocase
        $r3 = "gnirtSdaolnwoD" nocase
        $r4 = "tneilCbeW.teN" nocase
        $r5 = "llehS.tpircSW" nocase
        $r6 = "maertS.BDODA" nocase
        $r7 = "PTTHLMX" nocase
        $r8 = "gnirtS46esaBmorF" nocase
        $r9 = "//:ptth" nocase
        $r10 = "//:sptth" nocase
        $x1 = "StrReverse" nocase
        $x2 = /\[\s*-1\s*\.\.\s*-\s*\(?\s*\$?[A-Za-z_]/
        $x3 = /\[\s*::\s*-1\s*\]/
        $x4 = /\.reverse\s*\(\s*\)\s*\.join\s*\(/ nocase
        $x5 = /\[array\]::Reverse/ nocase
        $x6 = /rev\s*(\||$)/
    condition:
        any of ($r*) and any of ($x*)
}

rule Gen_CharCode_Heavy_Execute
{
    meta:
        description = "code assembled from long runs of character codes (Chr/ChrW, String.fromCharCode, chr()) and then executed"
        severity = "medium"
        attack = "T1027.010,T1140"
        author = "automaldesc"
    strings:
        $c1 = /\bChrW?\s*\(\s*[0-9]{2,3}\s*\)\s*&/ nocase
        $c2 = /String\.fromCharCode\s*\(\s*[0-9]{2,3}\s*,\s*[0-9]{2,3}\s*,\s*[0-9]{2,3}\s*,\s*[0-9]{2,3}\s*,\s*[0-9]{2,3}/
        $c3 = /\bchr\s*\(\s*[0-9]{2,3}\s*\)\s*\+/
        $x1 = /\b(eval|exec)\s*\(/
        $x2 = /\bExecute(Global)?\b/ nocase
        $x3 = /\bnew\s+Function\s*\(/
        $x4 = ".Run" nocase
    condition:
        (#c1 > 40 or $c2 or #c3 > 40) and any of ($x*)
}

rule Gen_Embedded_PE_Base64
{
    meta:
        description = "script carrying a base64-encoded Windows executable (TVqQ... 'MZ' header) to drop or load"
        severity = "high"
        attack = "T1027,T1105"
        author = "automaldesc"
    strings:
        $mz1 = "TVqQAAMAAAAEAAAA"
        $mz2 = "TVpQAAIAAAAEAA8A"
        $mz3 = "TVoAAAAAAAAAAAAA"
        $mz4 = "TVqAAAEAAAAEABAA"
        $mz5 = "4d5a90000300000004000000ffff" nocase
        $d1 = "FromBase64String" nocase
        $d2 = "b64decode" nocase
        $d3 = "base64" nocase
        $d4 = "atob(" nocase
        $d5 = "certutil" nocase
        $d6 = "bin.base64" nocase
        $d7 = "fromhex" nocase
        $d8 = /(0x|\\x)?4d5a/ nocase
    condition:
        any of ($mz*) and any of ($d*)
}
