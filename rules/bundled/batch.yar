/*
  Windows Batch / cmd.exe families.
*/

rule BAT_Certutil_Download
{
    meta:
        description = "certutil abused to download a remote file (-urlcache -f) or decode an embedded payload (-decode)"
        severity = "high"
        attack = "T1105,T1140"
        author = "automaldesc"
    strings:
        $c = "certutil" nocase
        $u1 = /certutil(\.exe)?\s[^\r\n]{0,40}-urlcache\s[^\r\n]{0,40}\s-?f\s[^\r\n]{0,20}(https?|ftp):\/\// nocase
        $u2 = /certutil(\.exe)?\s[^\r\n]{0,40}-verifyctl\s[^\r\n]{0,40}(https?|ftp):\/\// nocase
        $d1 = /certutil(\.exe)?\s+-decode(hex)?\s+\S+\s+\S+\.(exe|dll|ps1|vbs|js|bat|cmd|scr|hta)/ nocase
    condition:
        $c and any of ($u*, $d*)
}

rule BAT_Bitsadmin_Transfer
{
    meta:
        description = "bitsadmin job that downloads a remote file, optionally registering it to run on completion"
        severity = "high"
        attack = "T1197,T1105"
        author = "automaldesc"
    strings:
        $t1 = /bitsadmin(\.exe)?\s[^\r\n]{0,60}\/(transfer|addfile)\s[^\r\n]{0,200}(https?|ftp):\/\// nocase
        $t2 = /bitsadmin(\.exe)?\s[^\r\n]{0,40}\/SetNotifyCmdLine/ nocase
    condition:
        any of them
}

rule BAT_LOLBin_Proxy_Execution
{
    meta:
        description = "signed-binary proxy execution of remote or script content: mshta URL/vbscript, rundll32 javascript:, regsvr32 scrobj (Squiblydoo)"
        severity = "high"
        attack = "T1218.005,T1218.010,T1218.011"
        author = "automaldesc"
    strings:
        $m1 = /mshta(\.exe)?\s+['"]?(https?:\/\/|vbscript:|javascript:)/ nocase
        $r1 = /rundll32(\.exe)?\s+[^\r\n]{0,40}javascript:/ nocase
        $r2 = /rundll32(\.exe)?\s+[^\r\n]{0,60}url\.dll\s*,\s*(OpenURL|FileProtocolHandler)[^\r\n]{0,80}(https?:|\.hta|\.exe)/ nocase
        $s1 = /regsvr32(\.exe)?\s[^\r\n]{0,40}\/i:\s*['"]?https?:\/\/[^\r\n]{0,200}scrobj/ nocase
        $s2 = /regsvr32(\.exe)?\s[^\r\n]{0,60}scrobj\.dll/ nocase
    condition:
        any of them
}

rule BAT_Windows_Firewall_Disable
{
    meta:
        description = "netsh turning the Windows firewall off for all profiles"
        severity = "medium"
        attack = "T1562.004"
        author = "automaldesc"
    strings:
        $n1 = /netsh(\.exe)?\s+advfirewall\s+set\s+(allprofiles|currentprofile|publicprofile|domainprofile|privateprofile)\s+state\s+off/ nocase
        $n2 = /netsh(\.exe)?\s+firewall\s+set\s+opmode\s+(mode=)?disable/ nocase
        $n3 = /Set-NetFirewallProfile\s[^\r\n]{0,60}-Enabled\s+(\$?false|0)/ nocase
    condition:
        any of them
}

rule BAT_Backdoor_Admin_Account
{
    meta:
        description = "creation of a local account that is immediately added to the Administrators or Remote Desktop Users group"
        severity = "high"
        attack = "T1136.001,T1098"
        author = "automaldesc"
    strings:
        $u = /net(1)?(\.exe)?\s+user\s+\S+\s+\S+\s+\/add/ nocase
        $g1 = /net(1)?(\.exe)?\s+localgroup\s+"?(administrators|administradores|administrateurs|remote desktop users)"?\s+\S+\s+\/add/ nocase
        $h = /\\Winlogon\\SpecialAccounts\\UserList/ nocase
    condition:
        $u and ($g1 or $h)
}

rule BAT_RDP_Enable_With_Account
{
    meta:
        description = "Remote Desktop opened up (fDenyTSConnections=0 or firewall rule) together with creation of a local account"
        severity = "high"
        attack = "T1021.001,T1136.001,T1112"
        author = "automaldesc"
    strings:
        $r1 = /fDenyTSConnections[^\r\n]{0,40}\/d\s+0/ nocase
        $r2 = /Terminal Server[^\r\n]{0,80}fDenyTSConnections[^\r\n]{0,40}\s0\b/ nocase
        $r3 = /netsh[^\r\n]{0,80}(remote desktop|localport=3389)/ nocase
        $u = /net(1)?(\.exe)?\s+user\s+\S+\s+\S+\s+\/add/ nocase
    condition:
        any of ($r*) and $u
}

rule BAT_Registry_Run_Persistence
{
    meta:
        description = "reg add of a Run/RunOnce value that launches a script host, encoded PowerShell or a file in a user-writable folder"
        severity = "high"
        attack = "T1547.001,T1112"
        author = "automaldesc"
    strings:
        $r = /reg(\.exe)?\s+add\s+"?(HKCU|HKLM|HKEY_CURRENT_USER|HKEY_LOCAL_MACHINE)\\Software\\(WOW6432Node\\)?Microsoft\\Windows\\CurrentVersion\\Run(Once)?"?\s[^\r\n]{0,300}\/d\s+\\?"?(cmd(\.exe)?\s+\/c\s+)?\\?"?(start\s+(\/min\s+)?(\\?"\\?"\s+)?)?\\?"?(%APPDATA%|%TEMP%|%TMP%|%PUBLIC%|%LOCALAPPDATA%|\\AppData\\|\\Users\\Public\\|powershell|mshta|wscript|cscript|rundll32|regsvr32)/ nocase
    condition:
        $r
}

rule BAT_Schtasks_Suspicious_Action
{
    meta:
        description = "schtasks /create whose action is a script host, encoded or downloading PowerShell, or a file in a user-writable folder"
        severity = "high"
        attack = "T1053.005"
        author = "automaldesc"
    strings:
        $t = /schtasks(\.exe)?\s+\/create\s[^\r\n]{0,300}\/tr\s+[^\r\n]{0,60}(%APPDATA%|%TEMP%|%TMP%|%PUBLIC%|\\AppData\\|\\Users\\Public\\|\\ProgramData\\[^\\\r\n]{1,40}\.(exe|vbs|js|bat|ps1)|mshta|wscript|regsvr32|powershell[^\r\n]{0,80}\s-(e|enc|encodedcommand|w|windowstyle)\s)/ nocase
    condition:
        $t
}

rule BAT_Defender_Disable
{
    meta:
        description = "Microsoft Defender switched off: DisableAntiSpyware/real-time policies, WinDefend service stop, MpPreference exclusions"
        severity = "high"
        attack = "T1562.001"
        author = "automaldesc"
    strings:
        $p1 = /DisableAntiSpyware[^\r\n]{0,40}\/d\s+1/ nocase
        $p2 = /DisableRealtimeMonitoring[^\r\n]{0,40}(\/d\s+1|\$true|\s1\b)/ nocase
        $p3 = /DisableBehaviorMonitoring[^\r\n]{0,40}(\/d\s+1|\$true|\s1\b)/ nocase
        $p4 = /DisableIOAVProtection[^\r\n]{0,40}(\/d\s+1|\$true|\s1\b)/ nocase
        $s1 = /sc(\.exe)?\s+(stop|delete)\s+WinDefend/ nocase
        $s2 = /sc(\.exe)?\s+config\s+WinDefend\s+start\s*=\s*disabled/ nocase
        $e1 = /Add-MpPreference\s[^\r\n]{0,40}-Exclusion(Path|Process|Extension)\s/ nocase
    condition:
        any of them
}

rule BAT_Substring_Obfuscation
{
    meta:
        description = "cmd.exe substring obfuscation: commands assembled from dozens of %var:~N,M% slices"
        severity = "medium"
        attack = "T1027.010,T1059.003"
        author = "automaldesc"
    strings:
        $s = /%[A-Za-z0-9_#$@]{1,20}:~\s*-?[0-9]{1,3}\s*,\s*-?[0-9]{1,3}%/
        $x1 = "call " nocase
        $x2 = "start " nocase
        $x3 = "cmd" nocase
        $x4 = "set " nocase
    condition:
        #s > 30 and any of ($x*)
}
