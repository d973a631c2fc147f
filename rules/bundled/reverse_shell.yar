/*
  Reverse shells across languages.
*/

rule RS_Bash_Dev_TCP
{
    meta:
        description = "interactive shell redirected to a /dev/tcp or /dev/udp socket (bash reverse shell)"
        severity = "critical"
        attack = "T1059.004"
        author = "automaldesc"
    strings:
        $r1 = /(ba)?sh\s+-i\s*[^\r\n]{0,20}>&?\s*\/dev\/(tcp|udp)\/[^\/\s]{1,80}\/[0-9]{1,5}/
        $r2 = /\/dev\/(tcp|udp)\/[^\/\s]{1,80}\/[0-9]{1,5}\s*0>&1/
        $r3 = /exec\s+[0-9]{1,3}<>\s*\/dev\/(tcp|udp)\/[^\/\s]{1,80}\/[0-9]{1,5}/
        $r4 = /\/dev\/(tcp|udp)\/[^\/\s]{1,80}\/[0-9]{1,5}[^\r\n]{0,40}<&\s*[0-9]/
    condition:
        any of them
}

rule RS_Netcat_Shell
{
    meta:
        description = "netcat/ncat serving a shell (-e/-c /bin/sh or cmd.exe) or a mkfifo pipe loop"
        severity = "critical"
        attack = "T1059.004,T1059.003"
        author = "automaldesc"
    strings:
        $n1 = /\b(nc|ncat|netcat)(\.exe|\.traditional|\.openbsd)?\s[^\r\n|;]{0,80}-(e|c)\s*['"]?(\/bin\/(ba)?sh|\/bin\/zsh|cmd(\.exe)?|powershell(\.exe)?)\b/ nocase
        $n2 = /mkfifo\s+\S+[^\r\n]{0,80}(\/bin\/)?(ba)?sh\s+-i[^\r\n]{0,60}\b(nc|ncat|netcat|openssl\s+s_client)\s/
        $n3 = /mknod\s+\S+\s+p[^\r\n]{0,120}\b(nc|ncat|netcat|telnet)\s[^\r\n]{0,60}(\/bin\/)?(ba)?sh/
        $n4 = /\b(nc|ncat|netcat)\s[^\r\n|;]{1,80}\|\s*(\/bin\/)?(ba)?sh\s[^\r\n]{0,30}\|\s*(nc|ncat|netcat)\s/
    condition:
        any of them
}

rule RS_Python_Socket_Shell
{
    meta:
        description = "Python reverse shell: socket connect, file descriptors duplicated onto the socket, shell spawned"
        severity = "critical"
        attack = "T1059.006,T1059.004"
        author = "automaldesc"
    strings:
        $s = /socket\.socket\s*\(/
        $c = /\.connect\s*\(\s*\(/
        $d = /os\.dup2\s*\(\s*[A-Za-z_][A-Za-z0-9_.]{0,30}\.fileno\s*\(\s*\)\s*,\s*[012]\s*\)/
        $x1 = /pty\.spawn\s*\(\s*['"](\/bin\/)?(ba)?sh/
        $x2 = /subprocess\.(call|Popen|run)\s*\(\s*\[\s*['"](\/bin\/)?(ba)?sh['"]\s*,\s*['"]-i['"]/
        $x3 = /os\.(system|execl?p?)\s*\(\s*['"](\/bin\/)?(ba)?sh/
    condition:
        $s and $c and ($d or $x1) and any of ($x*)
}

rule RS_PowerShell_TCP_Client
{
    meta:
        description = "PowerShell reverse shell: TCPClient stream whose received bytes are run with Invoke-Expression and answered on the stream"
        severity = "critical"
        attack = "T1059.001,T1095"
        author = "automaldesc"
    strings:
        $c = /Net\.Sockets\.TCPClient/ nocase
        $g = "GetStream()" nocase
        $x1 = /\biex\b/ nocase
        $x2 = "Invoke-Expression" nocase
        $x3 = /\|\s*Out-String/ nocase
        $w1 = ".Write(" nocase
        $w2 = "Flush()" nocase
        $p = /PS\s*['"]?\s*\+\s*\(?\s*(pwd|Get-Location|\$pwd)/ nocase
    condition:
        $c and $g and any of ($x*) and (any of ($w*) or $p)
}

rule RS_Script_Interpreter_OneLiner
{
    meta:
        description = "perl/php/ruby/awk/socat one-liners that connect out and hand the socket to a shell"
        severity = "critical"
        attack = "T1059.004,T1059"
        author = "automaldesc"
    strings:
        $p1 = /perl\s+-e\s*['"][^\r\n]{0,40}use\s+Socket[^\r\n]{0,300}exec\s*\(?\s*['"]?(\/bin\/)?(ba)?sh/
        $p2 = /php\s+-r\s*['"][^\r\n]{0,40}fsockopen\s*\([^\r\n]{0,200}(exec|shell_exec|system|passthru|proc_open|popen)\s*\(\s*['"](\/bin\/)?(ba)?sh/
        $p3 = /ruby\s+-rsocket\s+-e[^\r\n]{0,200}TCPSocket\.(new|open)[^\r\n]{0,200}(exec|spawn|system|popen)/
        $p4 = /socat\s[^\r\n]{0,60}exec:['"]?(\/bin\/)?(ba)?sh[^\r\n]{0,40}(tcp|tcp4|ssl|openssl):/ nocase
        $p5 = /socat\s[^\r\n]{0,60}(tcp|tcp4|ssl|openssl)[:-][^\r\n]{1,80}\sexec:['"]?(\/bin\/)?(ba)?sh/ nocase
        $p6 = /awk\s[^\r\n]{0,40}\/inet\/tcp\/[0-9]{1,5}\//
    condition:
        any of them
}

rule RS_Node_Net_Shell
{
    meta:
        description = "Node.js reverse shell: net socket connected and piped into a spawned /bin/sh or cmd.exe"
        severity = "critical"
        attack = "T1059.007"
        author = "automaldesc"
    strings:
        $n = /require\s*\(\s*['"](node:)?net['"]\s*\)/
        $cp = /require\s*\(\s*['"](node:)?child_process['"]\s*\)/
        $sp = /spawn\s*\(\s*['"](\/bin\/(ba)?sh|sh|bash|cmd(\.exe)?|powershell(\.exe)?)['"]/
        $c = /\.connect\s*\(\s*[0-9]{1,5}\s*,/
        $p1 = /\.pipe\s*\(\s*[A-Za-z_$][A-Za-z0-9_$]{0,30}\.stdin\s*\)/
        $p2 = /\.stdout\.pipe\s*\(/
    condition:
        $n and $cp and $sp and $c and any of ($p*)
}
