/*
  Ransomware building blocks: recovery inhibition, encryption loops, ransom notes.
*/

rule Ransom_Shadow_Copy_Deletion
{
    meta:
        description = "deletes Volume Shadow Copies or backups, or disables Windows recovery (vssadmin, wmic, bcdedit, wbadmin, Win32_ShadowCopy)"
        severity = "critical"
        attack = "T1490"
        author = "automaldesc"
    strings:
        $v1 = /vssadmin(\.exe)?\s+delete\s+shadows/ nocase
        $v2 = /vssadmin(\.exe)?\s+resize\s+shadowstorage\s[^\r\n]{0,80}maxsize\s*=\s*(401MB|1MB|UNBOUNDED)/ nocase
        $w1 = /wmic(\.exe)?\s+shadowcopy\s+delete/ nocase
        $w2 = /Win32_ShadowCopy[^\r\n]{0,200}(\.Delete\(|Remove-(WmiObject|CimInstance)|ForEach-Object\s*\{\s*\$_\.Delete)/ nocase
        $b1 = /bcdedit(\.exe)?\s+\/set\s+\{?default\}?\s+recoveryenabled\s+no/ nocase
        $b2 = /bcdedit(\.exe)?\s+\/set\s+\{?default\}?\s+bootstatuspolicy\s+ignoreallfailures/ nocase
        $wb1 = /wbadmin(\.exe)?\s+delete\s+(catalog|systemstatebackup|backup)/ nocase
        $wb2 = /Get-CimInstance\s+Win32_ShadowCopy\s*\|\s*Remove-CimInstance/ nocase
    condition:
        any of them
}

rule Ransom_Note_Text
{
    meta:
        description = "ransom note: encrypted-files claim plus payment or contact instructions"
        severity = "high"
        attack = "T1486"
        author = "automaldesc"
    strings:
        $e1 = /(all\s+)?your\s+(important\s+)?(files|documents|data)\s+(have\s+been|are|were)\s+(encrypted|locked)/ nocase
        $e2 = "files are encrypted" nocase
        $e3 = /decrypt(ion)?\s+(your|the)\s+files/ nocase
        $p1 = /\b(bitcoin|BTC|monero|XMR)\b/ nocase
        $p2 = /[a-z2-7]{16,56}\.onion\b/ nocase
        $p3 = "tor browser" nocase
        $p4 = /private\s+key/ nocase
        $p5 = /(pay|payment|ransom)[^\r\n]{0,40}(within|before|hours|days|deadline)/ nocase
    condition:
        any of ($e*) and 2 of ($p*)
}

rule Ransom_PowerShell_Encrypt_Loop
{
    meta:
        description = "PowerShell walking the file system, encrypting each file with AES and deleting or renaming the original"
        severity = "critical"
        attack = "T1486,T1059.001"
        author = "automaldesc"
    strings:
        $w1 = /(Get-ChildItem|gci|dir|ls)\s[^\r\n]{0,120}-Recurse/ nocase
        $w2 = "EnumerateFiles(" nocase
        $c1 = "CreateEncryptor" nocase
        $c2 = "CryptoStream" nocase
        $c3 = "AesManaged" nocase
        $c4 = "RijndaelManaged" nocase
        $c5 = "Security.Cryptography.Aes]::Create" nocase
        $d1 = "Remove-Item" nocase
        $d2 = "Rename-Item" nocase
        $d3 = "WriteAllBytes" nocase
        $d4 = "[IO.File]::Delete" nocase
        $x1 = /\.(docx?|xlsx?|pdf|jpe?g|pptx?)['",]/ nocase
    condition:
        any of ($w*) and 2 of ($c*) and 2 of ($d*) and $x1
}

rule Ransom_Python_Encrypt_Walk
{
    meta:
        description = "Python walking directories, encrypting files (Fernet/AES) in place and removing the originals"
        severity = "critical"
        attack = "T1486,T1059.006"
        author = "automaldesc"
    strings:
        $w1 = /os\.walk\s*\(/
        $w2 = /(glob\.glob|Path\([^)]{0,60}\)\.rglob)\s*\([^)]{0,60}\*\*/
        $c1 = /Fernet\s*\(/
        $c2 = /AES\.new\s*\(/
        $c3 = /\.encrypt\s*\(/
        $d1 = /os\.(remove|unlink)\s*\(/
        $d2 = /os\.rename\s*\([^\r\n]{0,80}\+\s*['"]\.[A-Za-z0-9]{3,12}['"]/
        $d3 = /open\s*\([^\r\n]{0,80}['"]wb['"]/
        $x = /['"]\.(docx?|xlsx?|pdf|jpe?g|png|txt|sql|zip)['"]/ nocase
    condition:
        any of ($w*) and $c3 and ($c1 or $c2) and 2 of ($d*) and $x
}

rule Ransom_Linux_OpenSSL_Encrypt_Loop
{
    meta:
        description = "shell loop encrypting many files with openssl enc and deleting or shredding the plaintext"
        severity = "critical"
        attack = "T1486,T1059.004"
        author = "automaldesc"
    strings:
        $f1 = /find\s+\/[^\r\n]{0,120}-type\s+f/
        $f2 = /for\s+\w+\s+in\s+[^\r\n]{0,60}\*/
        $e = /openssl\s+(enc\s+)?-?aes-(128|192|256)-(cbc|ctr|gcm|ecb)\s[^\r\n]{0,200}-(in|out)\s/
        $d1 = /rm\s+(-[rf]+\s+)?["']?\$/
        $d2 = /shred\s/
    condition:
        any of ($f*) and $e and any of ($d*)
}
