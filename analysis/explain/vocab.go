package explain

import (
	"bytes"
	"strings"
)

// command is a well-known command, API or switch the explanation may name.
// key is searched (lower-case) in a finding's excerpt or YARA strings; name
// is what the text shows. The name is this package's own spelling, so no
// attacker-controlled text reaches the summary through it.
type command struct {
	key  string
	name string
	st   stage // the step the command usually serves, for findings the catalog does not know
}

// commands is the vocabulary. Longer, more specific keys come before the
// shorter keys they contain, so that the specific name wins.
var commands = []command{
	// Decoding and obfuscation.
	{"frombase64string", "FromBase64String", stDecode},
	{"gzipstream", "GzipStream", stDecode},
	{"deflatestream", "DeflateStream", stDecode},
	{"-bxor", "-bxor", stDecode},
	{"[char]", "[char] casts", stDecode},
	{"fromcharcode", "String.fromCharCode", stDecode},
	{"atob(", "atob", stDecode},
	{"unescape(", "unescape", stDecode},
	{"strreverse", "StrReverse", stDecode},
	{"chrw(", "ChrW", stDecode},
	{"certutil -decode", "certutil -decode", stDecode},
	{"certutil.exe -decode", "certutil -decode", stDecode},
	{"base64 -d", "base64 -d", stDecode},
	{"base64 --decode", "base64 --decode", stDecode},
	{"b64decode", "base64.b64decode", stDecode},
	{"zlib.decompress", "zlib.decompress", stDecode},
	{"marshal.loads", "marshal.loads", stDecode},
	{"xxd -r", "xxd -r", stDecode},
	{"openssl enc", "openssl enc", stDecode},
	{"openssl base64", "openssl base64", stDecode},
	{"| rev", "rev", stDecode},

	// Defence evasion.
	{"amsiinitfailed", "amsiInitFailed", stEvade},
	{"amsiscanbuffer", "AmsiScanBuffer", stEvade},
	{"set-mppreference", "Set-MpPreference", stEvade},
	{"add-mppreference", "Add-MpPreference", stEvade},
	{"disableantispyware", "the DisableAntiSpyware policy", stEvade},
	{"disablerealtimemonitoring", "DisableRealtimeMonitoring", stEvade},
	{"wevtutil", "wevtutil", stEvade},
	{"clear-eventlog", "Clear-EventLog", stEvade},
	{"auditpol", "auditpol", stEvade},
	{"netsh advfirewall", "netsh advfirewall", stEvade},
	{"netsh firewall", "netsh firewall", stEvade},
	{"iptables -f", "iptables -F", stEvade},
	{"ufw disable", "ufw disable", stEvade},
	{"setenforce 0", "setenforce 0", stEvade},
	{"history -c", "history -c", stEvade},
	{"unset histfile", "unset HISTFILE", stEvade},
	{"attrib +h", "attrib +h", stEvade},
	{"chattr +i", "chattr +i", stEvade},
	{"ld_preload", "LD_PRELOAD", stEvade},
	{"taskkill", "taskkill", stEvade},
	{"sc stop", "sc stop", stEvade},
	{"-windowstyle hidden", "-WindowStyle Hidden", stExecute},
	{"-w hidden", "-WindowStyle Hidden", stExecute},
	{"-executionpolicy bypass", "-ExecutionPolicy Bypass", stExecute},
	{"-ep bypass", "-ExecutionPolicy Bypass", stExecute},
	{"-exec bypass", "-ExecutionPolicy Bypass", stExecute},
	{"-version 2", "-Version 2", stEvade},

	// Download.
	{"downloadstring", "DownloadString", stDownload},
	{"downloadfile", "DownloadFile", stDownload},
	{"downloaddata", "DownloadData", stDownload},
	{"net.webclient", "Net.WebClient", stDownload},
	{"invoke-webrequest", "Invoke-WebRequest", stDownload},
	{"invoke-restmethod", "Invoke-RestMethod", stDownload},
	{"iwr ", "Invoke-WebRequest", stDownload},
	{"start-bitstransfer", "Start-BitsTransfer", stDownload},
	{"bitsadmin", "bitsadmin", stDownload},
	{"certutil -urlcache", "certutil -urlcache", stDownload},
	{"certutil.exe -urlcache", "certutil -urlcache", stDownload},
	{"msxml2.xmlhttp", "XMLHTTP", stDownload},
	{"winhttp.winhttprequest", "WinHttpRequest", stDownload},
	{"xmlhttp", "XMLHTTP", stDownload},
	{"adodb.stream", "an ADODB stream", stDrop},
	{"urllib.request", "urllib", stDownload},
	{"urlopen", "urlopen", stDownload},
	{"requests.get", "requests.get", stDownload},
	{"curl ", "curl", stDownload},
	{"wget ", "wget", stDownload},
	{"tftp", "tftp", stDownload},
	{"ftp -s", "ftp -s", stDownload},

	// Drop and write.
	{"out-file", "Out-File", stDrop},
	{"set-content", "Set-Content", stDrop},
	{"writeallbytes", "WriteAllBytes", stDrop},
	{"savetofile", "SaveToFile", stDrop},
	{"copy-item", "Copy-Item", stDrop},
	{"chmod +x", "chmod +x", stDrop},
	{"chmod 777", "chmod 777", stDrop},

	// Execution.
	{"invoke-expression", "Invoke-Expression", stExecute},
	{"iex", "IEX", stExecute},
	{"start-process", "Start-Process", stExecute},
	{"[reflection.assembly]::load", "Assembly.Load", stExecute},
	{"assembly]::load", "Assembly.Load", stExecute},
	{"entrypoint.invoke", "EntryPoint.Invoke", stExecute},
	{"add-type", "Add-Type", stExecute},
	{"virtualalloc", "VirtualAlloc", stExecute},
	{"createthread", "CreateThread", stExecute},
	{"wscript.shell", "WScript.Shell", stExecute},
	{"shell.application", "Shell.Application", stExecute},
	{"shellexecute", "ShellExecute", stExecute},
	{"win32_process", "Win32_Process", stExecute},
	{"invoke-wmimethod", "Invoke-WmiMethod", stExecute},
	{"invoke-cimmethod", "Invoke-CimMethod", stExecute},
	{"executeglobal", "ExecuteGlobal", stExecute},
	{"execute(", "Execute", stExecute},
	{"new function", "the Function constructor", stExecute},
	{"eval(", "eval", stExecute},
	{"exec(", "exec", stExecute},
	{"subprocess", "subprocess", stExecute},
	{"os.system", "os.system", stExecute},
	{"child_process", "child_process", stExecute},
	{"mshta", "mshta", stExecute},
	{"regsvr32", "regsvr32", stExecute},
	{"rundll32", "rundll32", stExecute},
	{"msbuild", "MSBuild", stExecute},
	{"installutil", "InstallUtil", stExecute},
	{"cmd /c", "cmd /c", stExecute},
	{"cmd.exe /c", "cmd /c", stExecute},
	{"| bash", "a pipe into bash", stExecute},
	{"| sh", "a pipe into sh", stExecute},
	{"bash -c", "bash -c", stExecute},
	{"powershell", "powershell.exe", stExecute},
	{"pwsh", "pwsh", stExecute},

	// Privilege escalation.
	{"fodhelper", "fodhelper", stPrivEsc},
	{"computerdefaults", "ComputerDefaults", stPrivEsc},
	{"eventvwr", "eventvwr", stPrivEsc},
	{"enablelua", "the EnableLUA setting", stPrivEsc},
	{"sudoers", "sudoers", stPrivEsc},
	{"chmod u+s", "chmod u+s", stPrivEsc},
	{"chmod 4755", "chmod 4755", stPrivEsc},

	// Persistence.
	{"currentversion\\run", "the Run registry key", stPersist},
	{"schtasks", "schtasks", stPersist},
	{"register-scheduledtask", "Register-ScheduledTask", stPersist},
	{"new-scheduledtask", "New-ScheduledTaskAction", stPersist},
	{"new-service", "New-Service", stPersist},
	{"sc create", "sc create", stPersist},
	{"sc.exe create", "sc create", stPersist},
	{"__eventfilter", "a WMI __EventFilter", stPersist},
	{"commandlineeventconsumer", "a CommandLineEventConsumer", stPersist},
	{"crontab", "crontab", stPersist},
	{"/etc/cron", "the cron directories", stPersist},
	{"systemctl enable", "systemctl enable", stPersist},
	{"systemctl", "systemctl", stPersist},
	{"authorized_keys", "authorized_keys", stPersist},
	{".bashrc", "~/.bashrc", stPersist},
	{".profile", "the shell profile", stPersist},
	{"net user", "net user", stPersist},
	{"net localgroup", "net localgroup", stPersist},
	{"useradd", "useradd", stPersist},
	{"userinit", "Winlogon Userinit", stPersist},
	{"start menu\\programs\\startup", "the Startup folder", stPersist},
	{"\\startup", "the Startup folder", stPersist},
	{"reg add", "reg add", stPersist},
	{"set-itemproperty", "Set-ItemProperty", stPersist},
	{"new-itemproperty", "New-ItemProperty", stPersist},
	{"regwrite", "RegWrite", stPersist},

	// Credential access and collection.
	{"sekurlsa", "Mimikatz sekurlsa", stCredential},
	{"mimikatz", "Mimikatz", stCredential},
	{"comsvcs", "comsvcs.dll MiniDump", stCredential},
	{"procdump", "ProcDump", stCredential},
	{"lsass", "LSASS", stCredential},
	{"reg save", "reg save", stCredential},
	{"ntdsutil", "ntdsutil", stCredential},
	{"vssadmin create", "vssadmin create shadow", stCredential},
	{"/etc/shadow", "/etc/shadow", stCredential},
	{"login data", "the browser Login Data store", stCredential},
	{"cryptunprotectdata", "CryptUnprotectData", stCredential},
	{"protecteddata", "ProtectedData.Unprotect", stCredential},
	{"getasynckeystate", "GetAsyncKeyState", stCredential},
	{"pynput", "pynput", stCredential},
	{"get-credential", "Get-Credential", stCredential},
	{"netsh wlan", "netsh wlan", stCredential},
	{"cmdkey", "cmdkey", stCredential},
	{"id_rsa", "SSH private keys", stCredential},
	{".aws/credentials", "AWS credential files", stCredential},
	{"169.254.169.254", "the cloud metadata service", stCredential},
	{"get-clipboard", "Get-Clipboard", stCollect},
	{"clipboard", "the clipboard", stCollect},
	{"copyfromscreen", "CopyFromScreen", stCollect},

	// Discovery.
	{"whoami", "whoami", stDiscover},
	{"systeminfo", "systeminfo", stDiscover},
	{"ipconfig", "ipconfig", stDiscover},
	{"ifconfig", "ifconfig", stDiscover},
	{"nltest", "nltest", stDiscover},
	{"net group", "net group", stDiscover},
	{"net view", "net view", stDiscover},
	{"netstat", "netstat", stDiscover},
	{"tasklist", "tasklist", stDiscover},
	{"get-process", "Get-Process", stDiscover},
	{"get-wmiobject", "Get-WmiObject", stDiscover},
	{"get-ciminstance", "Get-CimInstance", stDiscover},
	{"get-aduser", "Get-ADUser", stDiscover},
	{"get-adcomputer", "Get-ADComputer", stDiscover},
	{"antivirusproduct", "the AntiVirusProduct WMI class", stDiscover},
	{"uname -a", "uname -a", stDiscover},
	{"nmap", "nmap", stDiscover},
	{"reg query", "reg query", stDiscover},

	// Lateral movement.
	{"psexec", "PsExec", stLateral},
	{"invoke-command", "Invoke-Command", stLateral},
	{"enter-pssession", "Enter-PSSession", stLateral},
	{"winrs", "winrs", stLateral},
	{"wmic /node", "wmic /node", stLateral},
	{"admin$", "the ADMIN$ share", stLateral},
	{"c$", "the C$ share", stLateral},
	{"known_hosts", "known_hosts", stLateral},
	{"stricthostkeychecking=no", "StrictHostKeyChecking=no", stLateral},
	{"fdenytsconnections", "fDenyTSConnections", stLateral},

	// Command and control.
	{"/dev/tcp", "/dev/tcp", stC2},
	{"mkfifo", "mkfifo", stC2},
	{"socat", "socat", stC2},
	{"nc -e", "nc -e", stC2},
	{"ncat", "ncat", stC2},
	{"net.sockets.tcpclient", "Net.Sockets.TCPClient", stC2},
	{"tcpclient", "Net.Sockets.TCPClient", stC2},
	{"socket.socket", "socket.socket", stC2},
	{"pty.spawn", "pty.spawn", stC2},
	{"net.socket(", "net.Socket", stC2},
	{"ngrok", "ngrok", stC2},

	// Exfiltration.
	{"discord.com/api/webhooks", "a Discord webhook", stExfil},
	{"api.telegram.org", "the Telegram bot API", stExfil},
	{"send-mailmessage", "Send-MailMessage", stExfil},
	{"smtplib", "smtplib", stExfil},
	{"uploadfile", "UploadFile", stExfil},
	{"uploadstring", "UploadString", stExfil},

	// Impact.
	{"vssadmin delete", "vssadmin delete shadows", stImpact},
	{"shadowcopy delete", "wmic shadowcopy delete", stImpact},
	{"win32_shadowcopy", "Win32_ShadowCopy", stImpact},
	{"wbadmin", "wbadmin", stImpact},
	{"bcdedit", "bcdedit", stImpact},
	{"reagentc", "reagentc", stImpact},
	{"cipher /w", "cipher /w", stImpact},
	{"xmrig", "XMRig", stImpact},
	{"stratum+tcp", "a stratum mining pool", stImpact},
	{"--donate-level", "miner options", stImpact},
	{"aescryptoserviceprovider", "AES encryption", stImpact},
	{"openssl enc -aes", "openssl enc -aes", stImpact},
	{"dd if=/dev/zero", "dd from /dev/zero", stImpact},
	{"mkfs", "mkfs", stImpact},
	{"rm -rf /", "rm -rf", stImpact},
}

// commandsByFirst lists the vocabulary entries by the first byte of their
// keys (never empty: TestVocabulary), for commandsIn.
var commandsByFirst = func() (by [256][]uint16) {
	for i, c := range commands {
		by[c.key[0]] = append(by[c.key[0]], uint16(i))
	}
	return by
}()

// commandsIn returns, in vocabulary order, the indices of the entries whose
// key occurs in lower (nil when none): what strings.Contains with every key
// finds, in one pass over lower instead of one per key.
func commandsIn(lower string) []uint16 {
	found := make([]bool, len(commands))
	n := 0
	for i := 0; i < len(lower); i++ {
		for _, c := range commandsByFirst[lower[i]] {
			k := commands[c].key
			// The second byte first: it rules out most candidates without
			// a call to compare memory.
			if !found[c] && len(k) <= len(lower)-i && (len(k) == 1 || lower[i+1] == k[1]) && lower[i:i+len(k)] == k {
				found[c] = true
				n++
			}
		}
	}
	if n == 0 {
		return nil
	}
	out := make([]uint16, 0, n)
	for i, f := range found {
		if f {
			out = append(out, uint16(i))
		}
	}
	return out
}

// commandsFor returns the indices of the vocabulary entries that occur in
// t. When only is not nil the search is limited to those indices.
func commandsFor(t *lowerText, only []uint16, max int) []uint16 {
	var out []uint16
	try := func(i int) bool {
		if t.contains(i) {
			for _, o := range out {
				if commands[o].name == commands[i].name {
					return len(out) >= max
				}
			}
			out = append(out, uint16(i))
		}
		return len(out) >= max
	}
	if only != nil {
		for _, i := range only {
			if try(int(i)) {
				break
			}
		}
		return out
	}
	for i := range commands {
		if try(i) {
			break
		}
	}
	return out
}

// lowerText is an ASCII-lower-cased text that commandsFor searches for the
// keys of the vocabulary, with a Bloom filter of its byte pairs: a key can
// only occur when each of its pairs does, and most keys of a stage's list
// are ruled out by a few bit tests instead of a search of the text.
type lowerText struct {
	b     []byte
	pairs [pairBits / 64]uint64
}

const pairBits = 1024

func pairHash(a, b byte) uint { return (uint(a)<<5 ^ uint(b)) % pairBits }

// newLowerText returns the concatenation of s, lower-cased into buf's
// storage (or a larger one when it does not fit), with its pairs indexed.
func newLowerText(buf []byte, s ...string) lowerText {
	b := buf[:0]
	for _, p := range s {
		b = appendLower(b, p)
	}
	t := lowerText{b: b}
	for i := 0; i+1 < len(b); i++ {
		h := pairHash(b[i], b[i+1])
		t.pairs[h/64] |= 1 << (h % 64)
	}
	return t
}

// pairKey is a lower-case key that lowerText.has looks for.
type pairKey struct {
	b     []byte
	pairs []uint16 // the hashes of the key's byte pairs
}

func newPairKey(k string) pairKey {
	pk := pairKey{b: []byte(k)}
	for j := 0; j+1 < len(k); j++ {
		pk.pairs = append(pk.pairs, uint16(pairHash(k[j], k[j+1])))
	}
	return pk
}

// has reports whether k occurs in t.
func (t *lowerText) has(k *pairKey) bool {
	for _, h := range k.pairs {
		if t.pairs[h/64]&(1<<(h%64)) == 0 {
			return false
		}
	}
	return bytes.Contains(t.b, k.b)
}

// contains reports whether the key of commands[i] occurs in t.
func (t *lowerText) contains(i int) bool { return t.has(&commandKeys[i]) }

// commandKeys holds the keys of commands, for lowerText.contains.
var commandKeys = func() []pairKey {
	keys := make([]pairKey, len(commands))
	for i, c := range commands {
		keys[i] = newPairKey(c.key)
	}
	return keys
}()

// stageCommands lists, per stage, the vocabulary indices of that stage, for
// findings whose candidates are not known in advance.
var stageCommands = func() [numStages][]uint16 {
	var out [numStages][]uint16
	for i, c := range commands {
		out[c.st] = append(out[c.st], uint16(i))
	}
	return out
}()

// methodNoun describes what a decoder id peeled off, as a noun phrase.
var methodNoun = map[string]string{
	"ps.encodedcommand":    "a Base64 -EncodedCommand payload",
	"batch.powershell-enc": "a Base64 -EncodedCommand payload",
	"ps.command":           "an inline PowerShell command string",
	"ps.gzip":              "a gzip-compressed Base64 blob",
	"ps.deflate":           "a deflate-compressed Base64 blob",
	"ps.frombase64":        "a Base64 string",
	"ps.charcodes":         "a character-code array",
	"ps.bxor":              "an XOR-encoded byte array",
	"ps.reverse":           "a reversed string",
	"ps.iex":               "the literal handed to Invoke-Expression",
	"ps.backtick":          "backtick escapes",
	"ps.charcast":          "[char] casts",
	"ps.concat":            "string concatenation",
	"ps.format":            "-f format strings",
	"ps.replace":           "Replace() substitutions",
	"ps.join":              "-join calls",
	"ps.parens":            "redundant parentheses",
	"js.eval":              "the literal handed to eval",
	"js.escape":            "\\x and \\u escapes",
	"js.fromcharcode":      "String.fromCharCode lists",
	"js.unescape":          "unescape/decodeURIComponent strings",
	"js.atob":              "an atob Base64 string",
	"js.stringarray":       "a string-array lookup table",
	"js.reverse":           "a reversed string",
	"js.concat":            "string concatenation",
	"vbs.execute":          "the literal handed to Execute",
	"vbs.chr":              "Chr() chains",
	"vbs.strreverse":       "a StrReverse string",
	"vbs.replace":          "Replace() substitutions",
	"vbs.concat":           "string concatenation",
	"batch.cmd":            "a nested cmd /c command",
	"batch.caret":          "caret escapes",
	"batch.set":            "set-variable substitution",
	"bash.base64":          "a Base64 string piped to base64 -d",
	"bash.printf":          "printf/echo -e escape sequences",
	"bash.eval":            "the literal handed to eval or sh -c",
	"bash.rev":             "a reversed string",
	"bash.ansic":           "$'...' ANSI-C quoted strings",
	"bash.vars":            "variables concatenated into commands",
	"py.exec":              "an encoded payload handed to exec",
	"py.decompress":        "a compressed blob",
	"py.codecs":            "a codecs-encoded string",
	"py.hex":               "a hex string",
	"py.base64":            "a Base64 string",
	"py.marshal":           "a marshal payload (not unmarshalled)",
	"generic.base64":       "an embedded Base64 blob",
}

// handoff describes decoders whose layer is a command handed to another
// interpreter: the identity sentence tells them as a launcher.
var handoff = map[string]struct{ what, to string }{
	"ps.encodedcommand":    {"a Base64-encoded", "powershell.exe -EncodedCommand"},
	"batch.powershell-enc": {"a Base64-encoded", "powershell.exe -EncodedCommand"},
	"ps.command":           {"an inline", "powershell.exe"},
	"batch.cmd":            {"a nested", "cmd /c"},
	"bash.eval":            {"a quoted", "eval or sh -c"},
}

// methodPhrase returns the noun phrase of a layer's method: rewrite passes
// ("a+b") list their parts.
func methodPhrase(method string) string {
	if n, ok := methodNoun[method]; ok {
		return n
	}
	if strings.Contains(method, "+") {
		var parts []string
		for _, m := range strings.Split(method, "+") {
			if n, ok := methodNoun[m]; ok && !contains(parts, n) {
				parts = append(parts, n)
			}
		}
		if len(parts) > 0 {
			return joinList(parts, 3, "")
		}
	}
	return "an encoded payload"
}

// participles maps the past participles that end catalog titles ("Run key
// written") to the present tense ("writes").
var participles = map[string]string{
	"written": "writes", "created": "creates", "deleted": "deletes", "disabled": "disables",
	"cleared": "clears", "stopped": "stops", "modified": "modifies", "added": "adds",
	"read": "reads", "saved": "saves", "dumped": "dumps", "queried": "queries",
	"listed": "lists", "enumerated": "enumerates", "installed": "installs", "used": "uses",
	"gathered": "gathers", "started": "starts", "invoked": "invokes", "hidden": "hides",
	"patched": "patches", "loaded": "loads", "bypassed": "bypasses", "set": "sets",
	"registered": "registers", "replaced": "replaces", "flushed": "flushes", "wiped": "wipes",
	"changed": "changes", "extracted": "extracts", "collected": "collects", "captured": "captures",
	"stolen": "steals", "targeted": "targets", "shown": "shows", "exported": "exports",
	"searched": "searches", "killed": "kills", "enabled": "enables", "launched": "launches",
	"destroyed": "destroys", "copied": "copies", "made": "makes", "run": "runs",
	"executed": "executes", "spawned": "spawns", "compiled": "compiles", "encrypted": "encrypts",
	"renamed": "renames", "removed": "removes", "blocked": "blocks", "downloaded": "downloads",
	"decoded": "decodes", "uploaded": "uploads", "sent": "sends", "posted": "posts",
	"dropped": "drops", "checked": "checks", "tampered": "tampers with", "hijacked": "hijacks",
	"imported": "imports", "opened": "opens", "accessed": "accesses", "archived": "archives",
	"turned": "turns", "scanned": "scans", "abused": "abuses", "injected": "injects",
	"mounted": "mounts", "masqueraded": "masquerades", "overwritten": "overwrites",
}

// particles may follow a participle group: a preposition starts the rest of
// the title ("disabled in the registry"), "off" completes the verb.
var particles = map[string]bool{
	"in": true, "into": true, "from": true, "through": true, "by": true, "to": true,
	"against": true, "with": true, "for": true, "on": true, "as": true, "without": true,
	"off": true, "at": true, "via": true, "over": true, "under": true, "hidden,": true,
}

// action turns a catalog title into a verb phrase when the title has the
// shape "<object> <participle>[ or <participle>] [<preposition> ...]":
// "Volume shadow copies deleted" -> "deletes volume shadow copies". Other
// titles are returned as a noun phrase with ok false.
func action(title string) (phrase string, ok bool) {
	words := strings.Fields(title)
	for i := 1; i < len(words); i++ {
		w := strings.ToLower(strings.TrimRight(words[i], ","))
		if _, isP := participles[w]; !isP {
			continue
		}
		// The participle group: p [or|and p]...
		verbs := []string{participles[w]}
		j := i + 1
		for j+1 < len(words) && (words[j] == "or" || words[j] == "and") {
			n := strings.ToLower(strings.TrimRight(words[j+1], ","))
			v, isP := participles[n]
			if !isP {
				break
			}
			verbs = append(verbs, words[j], v)
			j += 2
		}
		if j < len(words) && !particles[strings.ToLower(words[j])] && !strings.HasSuffix(words[j-1], ",") {
			continue // "Run key written": "Run" is part of the object
		}
		obj := nounPhrase(strings.Join(words[:i], " "))
		var b strings.Builder
		b.WriteString(strings.Join(verbs, " "))
		b.WriteByte(' ')
		if j < len(words) && strings.ToLower(words[j]) == "off" {
			b.WriteString(obj)
			b.WriteString(" off")
			j++
		} else {
			b.WriteString(obj)
		}
		if j < len(words) {
			b.WriteByte(' ')
			b.WriteString(strings.Join(words[j:], " "))
		}
		return strings.TrimSuffix(b.String(), ","), true
	}
	return nounPhrase(title), false
}

// properWords keep their capital when they start a phrase.
var properWords = map[string]bool{
	"Windows": true, "Microsoft": true, "Python": true, "Discord": true, "Active": true,
	"Linux": true, "Unix": true, "Perl": true, "Ruby": true, "Netcat": true, "Remote": true,
	"Winlogon": true, "Wi-Fi": true, "Kerberoasting": true, "Mimikatz": true, "Node.js": true,
	"JavaScript": true, "Invoke-Expression": true, "Add-Type": true, "Shell.Application": true,
}

// nounPhrase lower-cases the first letter of s unless the first word is a
// name or an acronym.
func nounPhrase(s string) string {
	if s == "" {
		return s
	}
	first := s
	if i := strings.IndexAny(s, " /"); i > 0 {
		first = s[:i]
	}
	if properWords[first] {
		return s
	}
	upper := 0
	for i := 0; i < len(first); i++ {
		if first[i] >= 'A' && first[i] <= 'Z' {
			upper++
		}
	}
	if upper >= 2 || s[0] < 'A' || s[0] > 'Z' {
		return s
	}
	return string(s[0]+('a'-'A')) + s[1:]
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// numberWords spells small counts.
var numberWords = [...]string{"no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"}

func count(n int) string {
	if n >= 0 && n < len(numberWords) {
		return numberWords[n]
	}
	return itoa(n)
}

// joinList joins items as "a, b and c", keeping at most max of them and
// adding "and N more <noun>" for the rest.
func joinList(items []string, max int, more string) string {
	if len(items) == 0 {
		return ""
	}
	shown := items
	rest := 0
	if len(items) > max {
		shown, rest = items[:max], len(items)-max
	}
	if len(shown) == 1 && rest == 0 {
		return shown[0]
	}
	n := 5*len(shown) + 16 + len(more) // separators and " and N more"
	for _, s := range shown {
		n += len(s)
	}
	var b strings.Builder
	b.Grow(n)
	for i, s := range shown {
		switch {
		case i == 0:
		case i == len(shown)-1 && rest == 0:
			b.WriteString(" and ")
		default:
			b.WriteString(", ")
		}
		b.WriteString(s)
	}
	if rest > 0 {
		b.WriteString(" and ")
		b.WriteString(itoa(rest))
		b.WriteString(" more")
		if more != "" {
			b.WriteByte(' ')
			b.WriteString(more)
		}
	}
	return b.String()
}
