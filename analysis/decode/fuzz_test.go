package decode

import (
	"context"
	"testing"
	"time"

	"github.com/automaldesc/automaldesc/analysis/lang"
)

// fuzzDecode decodes arbitrary text as language l under small limits and
// checks the structural contract.
func fuzzDecode(f *testing.F, l lang.Language, seeds ...string) {
	for _, s := range seeds {
		f.Add(s)
	}
	lim := Limits{MaxDepth: 4, MaxTotalBytes: 1 << 18, MaxLayers: 32, MaxLayerBytes: 1 << 16}
	f.Fuzz(func(t *testing.T, in string) {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		layers, err := Decode(ctx, in, l, Options{Limits: lim})
		if err != nil {
			t.Fatalf("Decode: %v", err)
		}
		checkInvariants(t, layers, lim)
	})
}

func FuzzDecodePowerShell(f *testing.F) {
	fuzzDecode(f, lang.PowerShell,
		"powershell -enc "+b64u16("Write-Host x"),
		"IEX ('a'+'b'+\"c d\")",
		"(\"{1}{0}\" -f 'b','a').Replace('a','c') -join ''",
		"[char[]](72,105) -join ''; I`E`X",
		gzipStage(b64("not gzip")),
		"'1k2k3k4k5k6k7k8k9k10' -split 'k' | % {[char]($_ -bxor 3)}",
		"@'\nhere $x\n'@ | iex")
}

func FuzzDecodeJavaScript(f *testing.F) {
	fuzzDecode(f, lang.JavaScript,
		"eval(unescape('%u0041%42'))",
		"var _0x1=['a','b'];x=_0x1[1]+_0x1[0x0];",
		`"\x41\u0042\u{43}\101".split("").reverse().join("")`,
		"eval(atob('"+b64("alert(1)")+"'))",
		"String.fromCharCode(72,0x69)", "/'/.test(x) + 'a' + \"b\"")
}

func FuzzDecodeVBScript(f *testing.F) {
	fuzzDecode(f, lang.VBScript,
		`Execute(Chr(77) & ChrW(&H73) & "gBox 1")`,
		`StrReverse("cba") & Replace("axb","x","y")`,
		"Rem \"x\n' \"y\"\nx = \"a\" & _\n\"b\"")
}

func FuzzDecodeBatch(f *testing.F) {
	fuzzDecode(f, lang.Batch,
		"set a=abc\n%a:~-2,1%%a:b=c%!a!\n",
		"p^o^w^e^r^s^h^e^l^l -e "+b64u16("dir"),
		"cmd /v:on /c \"set x=1&&echo !x!\"", "%COMSPEC:~-16,1%%%i%~dp0")
}

func FuzzDecodeBash(f *testing.F) {
	fuzzDecode(f, lang.Bash,
		"echo "+b64("id")+"aWQ= | base64 -d | sh",
		`printf '\x69\x64\151'; echo -e "\0151"`,
		"a=cu;b=rl;$a$b; eval \"x\"; $'\\x41'",
		"echo 'cba' | rev; rev <<< 'x'")
}

func FuzzDecodePython(f *testing.F) {
	fuzzDecode(f, lang.Python,
		"exec(zlib.decompress(base64.b64decode(b'eJzLzE0tVShJLS4BAB4jBJY=')))",
		"exec(codecs.decode('cevag', 'rot13')[::-1])",
		"eval(__import__('base64').b85decode('aB^vG'))",
		"exec(marshal.loads(b'\\x00'))", "exec(bytes.fromhex('41'))", `b'''x'''r"\x"`)
}

func FuzzDecodeUnknown(f *testing.F) {
	fuzzDecode(f, lang.Unknown, b64("hello world, this is a long enough plain text line"), "\x00\xff")
}
