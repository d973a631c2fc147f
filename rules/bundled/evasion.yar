/*
  Windows defence evasion across script languages.
*/

rule Evasion_Event_Log_Clearing
{
    meta:
        description = "clears Windows event logs (wevtutil cl, Clear-EventLog, EventLogSession.ClearLog)"
        severity = "high"
        attack = "T1070.001"
        author = "automaldesc"
    strings:
        $w1 = /wevtutil(\.exe)?\s+(cl|clear-log)\s+['"]?(security|system|application|setup|windows powershell|%[a-z0-9_]{1,10}%|\$)/ nocase
        $w2 = /wevtutil(\.exe)?\s+el\s*\|[^\r\n]{0,120}wevtutil(\.exe)?\s+cl/ nocase
        $w3 = /for\s+\/f\s+[^\r\n]{0,80}wevtutil(\.exe)?\s+el[^\r\n]{0,120}wevtutil(\.exe)?\s+cl/ nocase
        $p1 = /Clear-EventLog\s[^\r\n]{0,40}(Security|System|Application|\$)/ nocase
        $p2 = /Get-EventLog\s+-List\s*\|\s*(ForEach-Object|%)\s*\{\s*Clear-EventLog/ nocase
        $p3 = /\[System\.Diagnostics\.Eventing\.Reader\.EventLogSession\]::GlobalSession\.ClearLog/ nocase
    condition:
        any of them
}

rule Evasion_UAC_Bypass_Registry_Hijack
{
    meta:
        description = "UAC bypass by hijacking an auto-elevating binary's shell\\open\\command (fodhelper, computerdefaults, eventvwr, sdclt)"
        severity = "critical"
        attack = "T1548.002,T1112"
        author = "automaldesc"
    strings:
        $k1 = /ms-settings\\+shell\\+open\\+command/ nocase
        $k2 = /mscfile\\+shell\\+open\\+command/ nocase
        $k3 = /exefile\\+shell\\+runas\\+command/ nocase
        $k4 = /Folder\\+shell\\+open\\+command/ nocase
        $k5 = /App Paths\\+control\.exe/ nocase
        $d = "DelegateExecute" nocase
        $b1 = "fodhelper" nocase
        $b2 = "computerdefaults" nocase
        $b3 = "eventvwr" nocase
        $b4 = "sdclt" nocase
        $b5 = "wsreset" nocase
    condition:
        any of ($k*) and ($d or any of ($b*))
}

rule Evasion_Defender_Exclusion_PowerShell
{
    meta:
        description = "PowerShell switching off Defender monitoring or excluding whole drives, temp folders or script/executable extensions"
        severity = "high"
        attack = "T1562.001"
        author = "automaldesc"
    strings:
        $p1 = /Set-MpPreference\s[^\r\n]{0,80}-Disable(RealtimeMonitoring|BehaviorMonitoring|IOAVProtection|ScriptScanning|IntrusionPreventionSystem|BlockAtFirstSeen)\s+(\$true|1)/ nocase
        $p2 = /(Add|Set)-MpPreference\s[^\r\n]{0,40}-ExclusionPath\s+['"]?([A-Za-z]:\\?['"]?(\s|$)|\$env:(temp|appdata|userprofile|public)|C:\\Users\\Public|C:\\ProgramData['"]?\s)/ nocase
        $p3 = /(Add|Set)-MpPreference\s[^\r\n]{0,40}-ExclusionExtension\s+['"]?\.?(exe|dll|ps1|vbs|js|bat)/ nocase
        $p4 = /Set-MpPreference\s[^\r\n]{0,80}-(MAPSReporting|SubmitSamplesConsent)\s+(0|2|Disabled|NeverSend)/ nocase
    condition:
        any of them
}
