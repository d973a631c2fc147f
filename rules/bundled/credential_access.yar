/*
  Credential dumping across languages.
*/

rule Cred_LSASS_Memory_Dump
{
    meta:
        description = "dumps LSASS memory (comsvcs.dll MiniDump, procdump -ma lsass, Out-Minidump)"
        severity = "critical"
        attack = "T1003.001"
        author = "automaldesc"
    strings:
        $c1 = /comsvcs(\.dll)?[^\r\n]{0,10}[,\s]\s*#?(MiniDump|24)\b/ nocase
        $c2 = /procdump(64)?(\.exe)?\s[^\r\n]{0,40}-ma\s[^\r\n]{0,20}lsass/ nocase
        $c3 = /Out-Minidump[^\r\n]{0,80}lsass/ nocase
        $c4 = /(Get-Process|gps)\s+lsass[^\r\n]{0,80}(Out-Minidump|MiniDumpWriteDump)/ nocase
        $c5 = /rdrleakdiag(\.exe)?\s[^\r\n]{0,60}\/fullmemdmp/ nocase
    condition:
        any of them
}

rule Cred_Registry_Hive_Export
{
    meta:
        description = "saves the SAM/SECURITY/SYSTEM registry hives for offline credential extraction"
        severity = "high"
        attack = "T1003.002"
        author = "automaldesc"
    strings:
        $s1 = /reg(\.exe)?\s+save\s+['"]?(HKLM|HKEY_LOCAL_MACHINE)\\SAM['"]?\s/ nocase
        $s2 = /reg(\.exe)?\s+save\s+['"]?(HKLM|HKEY_LOCAL_MACHINE)\\(SYSTEM|SECURITY)['"]?\s/ nocase
        $s3 = /\\GLOBALROOT\\Device\\HarddiskVolumeShadowCopy[0-9]{1,3}\\Windows\\System32\\config\\(SAM|SECURITY)/ nocase
    condition:
        ($s1 and $s2) or $s3
}

rule Cred_Mimikatz_Usage
{
    meta:
        description = "Mimikatz command modules or the Invoke-Mimikatz wrapper"
        severity = "critical"
        attack = "T1003.001,T1558"
        author = "automaldesc"
    strings:
        $m1 = "sekurlsa::logonpasswords" nocase
        $m2 = "sekurlsa::pth" nocase
        $m3 = "lsadump::sam" nocase
        $m4 = "lsadump::dcsync" nocase
        $m5 = "lsadump::secrets" nocase
        $m6 = "kerberos::golden" nocase
        $m7 = "kerberos::ptt" nocase
        $m8 = "Invoke-Mimikatz" nocase
        $m9 = "privilege::debug" nocase
        $m10 = "sekurlsa::ekeys" nocase
        $m11 = "crypto::capi" nocase
    condition:
        any of them
}

rule Cred_NTDS_Extraction
{
    meta:
        description = "extracts the Active Directory database: ntdsutil IFM, or ntds.dit copied out of a shadow copy"
        severity = "critical"
        attack = "T1003.003"
        author = "automaldesc"
    strings:
        $n1 = /ntdsutil(\.exe)?\s[^\r\n]{0,80}(ac\s+i(n(stance)?)?\s+ntds|activate\s+instance\s+ntds)[^\r\n]{0,40}ifm/ nocase
        $n2 = /HarddiskVolumeShadowCopy[0-9]{1,3}\\Windows\\NTDS\\ntds\.dit/ nocase
        $n3 = /(copy|cp|Copy-Item)\s[^\r\n]{0,120}\\NTDS\\ntds\.dit/ nocase
        $n4 = /ntdsutil(\.exe)?\s[^\r\n]{0,40}["']?ifm["']?\s+["']?create\s+full/ nocase
    condition:
        any of them
}

rule Cred_Linux_Shadow_Harvest
{
    meta:
        description = "copies or exfiltrates /etc/shadow (unshadow, shadow sent over the network or copied to a temp folder)"
        severity = "high"
        attack = "T1003.008"
        author = "automaldesc"
    strings:
        $u = /unshadow\s+\/etc\/passwd\s+\/etc\/shadow/
        $x1 = /cat\s+\/etc\/shadow[^\r\n]{0,40}\|\s*(nc|curl|base64|ncat)\b/
        $x2 = /(curl|wget)\s[^\r\n]{0,80}(-F|-d|--data(-binary)?|--post-file|--upload-file|-T)\s*[^\r\n]{0,10}@?\/etc\/shadow/
        $x3 = /cp\s+\/etc\/shadow\s+\/(tmp|dev\/shm|var\/tmp)\//
    condition:
        any of them
}
