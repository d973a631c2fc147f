package decode

import (
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/automaldesc/automaldesc/internal/corpus"
)

// The patterns the hand-written matchers in match.go replace: the oracle.
var (
	reJSSink         = regexp.MustCompile(`(?i)\b(eval|settimeout|setinterval|execscript|new\s+function|function|new\s+activexobject|activexobject)\s*\(|\.\s*(run|exec|shellexecute)\s*\(`)
	reJSArrayDecl    = regexp.MustCompile(`\b(?:var|let|const)\s+([A-Za-z_$][\w$]*)\s*=\s*\[`)
	reEncodedCommand = regexp.MustCompile(`(?i)(?:^|[\s"'^])[-/\x{2013}\x{2014}](e[a-z]{0,13})(?:\s+|:)["']?([A-Za-z0-9+/]{16,}={0,2})`)
	reShAssign       = regexp.MustCompile(`(?m)(?:^|[;&|]|\bthen\b|\bdo\b)\s*(?:export\s+|local\s+)?([A-Za-z_]\w*)=`)
	reInvokeOp       = regexp.MustCompile(`[.&]\s*\(`)
	reBashEval       = regexp.MustCompile(`\b(?:eval|(?:ba|da|z|k)?sh\s+-c)\s+`)
	reFromCharCodeI  = regexp.MustCompile(`(?i)string\s*\.\s*fromcharcode\s*\(\s*((?:0x[0-9a-f]+|\d+)(?:\s*,\s*(?:0x[0-9a-f]+|\d+))*)\s*\)`)
	rePyMarshal      = regexp.MustCompile(`\bmarshal\s*\.\s*loads\s*\(`)
	reRevPipe        = regexp.MustCompile(`\|\s*rev\b`)
	reRevHere        = regexp.MustCompile(`\brev\s*<<<\s*`)
	reShRef          = regexp.MustCompile(`\$(?:\{([A-Za-z_]\w*)\}|([A-Za-z_]\w*))`)
	reReverseHint    = regexp.MustCompile(`\[array\]\s*::\s*reverse|righttoleft|\[\s*-1\s*\.\.\s*-`)
	reCharHint       = regexp.MustCompile(`\[char\]|\[char\[\]\]|-as\s*\[char\]|\[chararray\]`)
	reNumList        = regexp.MustCompile(`\(\s*(?:0[xX][0-9a-fA-F]+|\d+)(?:\s*,\s*(?:0[xX][0-9a-fA-F]+|\d+)){3,}\s*\)`)
)

// callLists are the name lists findCalls runs with, each with its regexp.
var callLists = func() (out []struct {
	names []string
	re    *regexp.Regexp
}) {
	for _, names := range [][]string{pyExecFuncs, pyBase64Funcs, pyDecompressFuncs, pyCodecsFuncs, pyHexFuncs, {"a.b", "b", "x.a.b"}} {
		alts := make([]string, len(names))
		for i, n := range names {
			alts[i] = regexp.QuoteMeta(n)
		}
		out = append(out, struct {
			names []string
			re    *regexp.Regexp
		}{names, regexp.MustCompile(`\b(?:` + strings.Join(alts, "|") + `)\s*\(`)})
	}
	return out
}()

var matchSeeds = []string{
	"",
	"eval('x')",
	"  eval ( 'x' ) ; setTimeout(\"a\", 1); SetInterval\t(f); execScript\f('y')",
	"x.eval('a'); _eval('b'); $eval('c'); myeval('d'); evalx('e')",
	"new Function('a', 'return a'); new  \n function(){}; renew function(){}; newfunction(); function f(){}",
	"var o = new ActiveXObject('WScript.Shell'); o.Run('calc'); o . exec ('x'); sh.ShellExecute('y'); o.xrun('z'); run('w')",
	"a..run(1) .\n\trun (2) x.run\n(3)",
	"var _0xab=['a','b'];let $t = [1,2]; const\nq\t=\n['x']; var 9x=['n']; xvar a=['m']; $var b=['o']; var c=d['p']; var=['q']",
	"var a = [ ]; let b=[[1]]; const c= [ 'z' ] ",
	"powershell -enc QUFBQUFBQUFBQUFBQUFBQUFB -ec QUFBQUFBQUFBQUFBQUFBQUFB",
	"-e QUFBQUFBQUFBQUFBQUFBQUFB",
	"x-e QUFBQUFBQUFBQUFBQUFBQUFB \"/EncodedCommand:'QUFBQUFBQUFBQUFBQUFBQUFB'",
	"powershell \u2013EnC QUFBQUFBQUFBQUFBQUFBQUFB ^\u2014e QUFBQUFBQUFBQUFBQUFBQUFB",
	"cmd /c powershell -e   QUFB -ExecutionPolicy bypass -en QUFBQUFBQUFBQUFBQUFBQUFB== -e",
	"-e QUFBQUFBQUFBQUFB/e-e QUFBQUFBQUFBQUFBQUFBQUFB",
	"\xe2\x80-e \xe2\x80\x93e QUFBQUFBQUFBQUFBQUFBQUFB",
	"a=1\nb=2; c=3 && d=4 || e=5 | f=6\nif x; then g=7; fi\nfor i in 1; do h=8; done",
	"  export  j=9\n\tlocal k=10\nexport=11 xl=12 9m=13 n==14 then=15 do o=16 dop=17 thenq=18",
	"x\n   \n  p=19 ;export\nq=20 ;; export local r=21 &export s=22",
	"String.fromCharCode(72, 105) STRING . FROMCHARCODE ( 0x48 ,0X69 ) string.fromCharCode(a)",
	"IEX $x; iex(1); xiex y; iexx; Invoke-Expression $a; invoke-expressionx; &(iex) . ( 'a' ) &\n\t(b) x.(c) ((d))",
	"Invoke-Expre\u017f\u017fion $a; invo\u212ae-expression $b; IEX",
	"eval \"$x\"; eval\t'y' ; xeval z; eval; sh -c 'a' bash  -c  \"b\" zsh -c x dash -cx y ksh -c\n\tz csh -c w sh -c",
	"eval  eval sh -c eval 'q'\nsh\t-c\t-c 1",
	"exec(base64.b64decode('YQ==')) eval (x) compile\n(y) _exec(z) exec_(w) .exec(v) 9eval(u) exec",
	"codecs.decode('x','rot13') xcodecs.decode(1) codecs . decode(2) codecs.decode  (3) base64.b85decode(b'x')",
	"marshal.loads(b'x') marshal . loads (y) xmarshal.loads(z) marshal.loadsx(w) marshal..loads(v)",
	"a.b(1) x.a.b(2) ya.b(3) b(4) a.bb(5) .b(6) x.a.b (7)",
	"PowerShell -nop -w hidden -c \"iex x\" pwsh.exe 'a' xpowershell \"b\" powershell.exe\" -NoProfile -Command  c",
	"powershell -ExecutionPolicy Bypass -version 2.0 -sta /c 'd'; POWERSHELL -e abc; pwshell 'e' pwsh  -com \"f\"",
	"powershell powershell 'g' pwsh\n-c\n'h' powerſhell 'i'",
	"printf '\\x41' echo -e 'a' echo -n -e\t\"b\" echo x; xprintf y; printf\n z; echo -ne -E  w; echo -x v; echo -e",
	"printfprintf a echo -e -e echo -e q printf",
	"[char]72+[CHAR] 0x69 + [String][char](105) [string] [char]( 0X41 ) [string]x [char]y [char]12345678 [string][string][char]1",
	"[char]([char]65) [Char]\n(66)[char]67[string]",
	"echo 'cba' | rev; echo x |rev|sh; a|  \n rev x |revx |xrev rev <<< 'abc' rev<<<x rev <<<<y xrev <<< z rev << w rev\t<<<\n",
	"|rev|rev rev <<<rev <<< a revrev <<< b rev",
	"(1,2,3,4) ( 72 , 0x65,0X6c ,\f108\n) (1,2,3) (1,2,3,4,) (0x,1,2,3) (0x1g,1,2,3) ((1,2,3,4)) (1,2,3,4 (1, 2, 3, 4, 5)",
	"(01,002,0x0,0xAb) (1 2,3,4,5) (1,2,3,4x) (1,2,3,0x)",
	"abc de fghi jk lmnop qrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+/=_- x QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFB",
	"[Convert]::FromBase64String('QUFBQUFB QUFB') frombase64string( ( \"QUFBQUFBQUFB\" FROMBASE64STRING('QUFB') fromba\u017fe64string('QUFBQUFBQUFB')",
	"[string]::Join('', 'a') [STRING] :: join ( -join ('a','b') ('a','b')-JOIN'' -joinx -join",
	"[string]\n::\tjoin\f( [string]::join [string]::joinx( [string]:join( [string]::[string]::join( [strinG]  ::  JOIN  ( -join_ -join- -join\u00e9 --join -join-join",
	"[\u017ftring]::join( -join\u212a [string]::join(",
	"Execute(\"a\") EXECUTEGLOBAL \t ( \"b\" executeglobalx (c) executex eval_ xeval Eval\t\tx eVaL(( execute\n(\"d\") _execute execute",
	"executeglobaleval evalexecute execute.x eval-1 eval\u00e9 \u00e9eval executeglobal( eval",
	"Chr(72) & ChrW (&H69) & chrb\t(1+2*3) CHR(65 - 1) xchr(1) chr() chr(g) chr((1)) chr(1)) chr(1 chrx(2) chr(&h41\\2/1) Chr(" + strings.Repeat("1", 60) + ") Chr(" + strings.Repeat("1", 61) + ")",
	"chr\n(1) chr(\n1) chr(1\n) Chr(1)Chr(2) chrw(chr(3)) _chr(4) chr\u00e9(5) \u00e9chr(6) chr",
	"Replace(\"a\",\"b\",\"c\") x.replace (1) REPLACE\t\n( xreplace( replace_( StrReverse(\"abc\") strreverse  ( \u017ftrreverse(\"x\") Replace",
	"StrReverse(\"a\") strreverse(strreverse(\"b\")) \u212a replace(",
	"echo x | base64 -d | sh; BASE64 --decode -w0 x base64 -i -D y base64 -d\n xbase64 -d _base64 -d base64 -dx base64 -d -x -Y openssl enc -base64 -d -A openssl base64 -d openssl -a -d z",
	"openssl enc -d -a openssl enc -d -base64 -in f OpenSSL A -d openssl enc a -d opensslx base64 -d base64  base64 -d base64 -di -id base64 --decodex",
	"echo x | ba\u017fe64 -d; open\u017f\u017fl enc -d -a; base64 -\u212a -d",
	"unescape('%41') decodeURIComponent ('x') DecodeURI\n('y') xunescape('z') unescape atob('QQ==') ATOB ('x') .atob(1) _atob(2)",
	"$a$b ${c}${d}x $9 ${9} ${e $ $$f ${_g} $_h1 ${i}}",
	"[array]::reverse($x) [Array] :: Reverse RightToLeft [ -1 .. - [-1..-5] [-1..5] [array]::reverser [ [array]::x",
	"cmd /c \"x\" CMD.EXE /v:on /C y cmd\" /q /k z xcmd /c w cmd /r  v cmd/c u cmd.exe\"/c t cmd /x /c s cmdx /c r",
	"[char]x [CHAR[]]y [chararray] -as [char] -as[char[]] [char [charx [chararray",
	"'a'.Replace('a','b') 'c' -replace 'c','d' \"e\" -creplace 'e' 'f' -ireplace 'f','g' 'h' . replace ( 'x','y') 'i' -replacex 'j'",
	"-eq 1 -ErrorAction Stop -e QUFBQUFBQUFBQUFBQUFBQUFB -e:QUFBQUFBQUFBQUFBQUFBQUFB -e 'QUFBQUFBQUFBQUFBQUFB' -encodedcommandxy QUFBQUFBQUFBQUFBQUFBQUFB -e QUFBQUFBQUFBQUF\u00e9",
	"-e\u017f QUFBQUFBQUFBQUFBQUFBQUFB -e QUFBQUFBQUFBQUF\u212a -encodedcommand QUFBQUFBQUFBQUFBQUFBQUFB -encodedcommandx QUFBQUFBQUFBQUFBQUFBQUFB",
	"'abc'.split('').reverse().join('') \"x\" . split ( \"\" ) . reverse ( ) . join ( '' ) 'y'.split('')",
	"QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFB.QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFB QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQU",
}

func checkMatchers(t *testing.T, text string) {
	t.Helper()
	checkHints(t, text)
	lower := asciiLower(text)
	if got, want := findJSSinks(text), reJSSink.FindAllStringSubmatchIndex(lower, -1); !cmp.Equal(got, want) {
		t.Errorf("findJSSinks(%q): got %v, want %v", trim(text), got, want)
	}
	if got, want := findJSArrayDecls(text, 64), reJSArrayDecl.FindAllStringSubmatchIndex(text, 64); !cmp.Equal(got, want) {
		t.Errorf("findJSArrayDecls(%q): got %v, want %v", trim(text), got, want)
	}
	if got, want := findEncodedCommands(text), reEncodedCommand.FindAllStringSubmatchIndex(text, -1); !cmp.Equal(got, want) {
		t.Errorf("findEncodedCommands(%q): got %v, want %v", trim(text), got, want)
	}
	want := reShAssign.FindAllStringSubmatchIndex(text, -1)
	for _, m := range want {
		m[0] = -1 // not reported
	}
	if got := findShAssigns(text); !cmp.Equal(got, want) {
		t.Errorf("findShAssigns(%q): got %v, want %v", trim(text), got, want)
	}
	if got, want := findIEXWords(text, lower), reIEXWord().FindAllStringIndex(text, -1); !cmp.Equal(got, want) {
		t.Errorf("findIEXWords(%q): got %v, want %v", trim(text), got, want)
	}
	if got, want := findInvokeOps(text), reInvokeOp.FindAllStringIndex(text, -1); !cmp.Equal(got, want) {
		t.Errorf("findInvokeOps(%q): got %v, want %v", trim(text), got, want)
	}
	if got, want := findBashEvals(text), reBashEval.FindAllStringIndex(text, -1); !cmp.Equal(got, want) {
		t.Errorf("findBashEvals(%q): got %v, want %v", trim(text), got, want)
	}
	for _, c := range callLists {
		if got, want := findCalls(text, c.names), c.re.FindAllStringIndex(text, -1); !cmp.Equal(got, want) {
			t.Errorf("findCalls(%q, %q): got %v, want %v", trim(text), c.names, got, want)
		}
	}
	if got, want := findPSCommandLines(text), rePSCommandLine().FindAllStringSubmatchIndex(text, -1); !cmp.Equal(got, want) {
		t.Errorf("findPSCommandLines(%q): got %v, want %v", trim(text), got, want)
	}
	if got, want := findPrintfs(text), rePrintf().FindAllStringSubmatchIndex(text, -1); !cmp.Equal(got, want) {
		t.Errorf("findPrintfs(%q): got %v, want %v", trim(text), got, want)
	}
	if got, want := findCharCasts(text), reCharCast().FindAllStringSubmatchIndex(text, -1); !cmp.Equal(got, want) {
		t.Errorf("findCharCasts(%q): got %v, want %v", trim(text), got, want)
	}
	if got, want := findRevPipes(text), reRevPipe.FindAllStringIndex(text, -1); !cmp.Equal(got, want) {
		t.Errorf("findRevPipes(%q): got %v, want %v", trim(text), got, want)
	}
	if got, want := findRevHeres(text), reRevHere.FindAllStringIndex(text, -1); !cmp.Equal(got, want) {
		t.Errorf("findRevHeres(%q): got %v, want %v", trim(text), got, want)
	}
	if got, want := findNumLists(text), reNumList.FindAllStringIndex(text, -1); !cmp.Equal(got, want) {
		t.Errorf("findNumLists(%q): got %v, want %v", trim(text), got, want)
	}
	if got, want := b64Runs(text, minGenericB64), b64RunsOracle(text, minGenericB64); !cmp.Equal(got, want) {
		t.Errorf("b64Runs(%q): got %v, want %v", trim(text), got, want)
	}
	if got, want := b64Runs(text, 3), b64RunsOracle(text, 3); !cmp.Equal(got, want) {
		t.Errorf("b64Runs(%q, 3): got %v, want %v", trim(text), got, want)
	}
	sc := newScan(text, 0, 1<<20)
	for _, r := range []lowerRegexp{reFromBase64, reStringJoin, reJoinOp} {
		if got, want := r.findAllSubmatchIndex(sc), r.fold().FindAllStringSubmatchIndex(text, -1); !cmp.Equal(got, want) {
			t.Errorf("%s twin on lower(%q): got %v, want %v", r.fold(), trim(text), got, want)
		}
		if got, want := r.findAllIndex(sc), r.fold().FindAllStringIndex(text, -1); !cmp.Equal(got, want) {
			t.Errorf("%s twin on lower(%q): got %v, want %v", r.fold(), trim(text), got, want)
		}
	}
	if got, want := findVBSExecutes(text), reVBSExecute().FindAllStringIndex(text, -1); !cmp.Equal(got, want) {
		t.Errorf("findVBSExecutes(%q): got %v, want %v", trim(text), got, want)
	}
	if got, want := findB64Decoders(text), reB64Decoder().FindAllStringIndex(text, -1); !cmp.Equal(got, want) {
		t.Errorf("findB64Decoders(%q): got %v, want %v", trim(text), got, want)
	}
	if got, want := findVBSChrs(text), reVBSChr().FindAllStringSubmatchIndex(text, -1); !cmp.Equal(got, want) {
		t.Errorf("findVBSChrs(%q): got %v, want %v", trim(text), got, want)
	}
	if got, want := findCallFold(sc, "replace", reVBSReplace), reVBSReplace().FindAllStringIndex(text, -1); !cmp.Equal(got, want) {
		t.Errorf("findCallFold(%q, replace): got %v, want %v", trim(text), got, want)
	}
	if got, want := findCallFold(sc, "strreverse", reVBSStrReverse), reVBSStrReverse().FindAllStringIndex(text, -1); !cmp.Equal(got, want) {
		t.Errorf("findCallFold(%q, strreverse): got %v, want %v", trim(text), got, want)
	}
	if got, want := findStringJoins(sc), reStringJoin.fold().FindAllStringIndex(text, -1); !cmp.Equal(got, want) {
		t.Errorf("findStringJoins(%q): got %v, want %v", trim(text), got, want)
	}
	if got, want := findJoinOps(sc), reJoinOp.fold().FindAllStringIndex(text, -1); !cmp.Equal(got, want) {
		t.Errorf("findJoinOps(%q): got %v, want %v", trim(text), got, want)
	}
	if got, want := findCallsFold(sc, jsUnescapeFuncs, true), callRegexps["unescape"]().FindAllStringSubmatchIndex(text, -1); !cmp.Equal(got, want) {
		t.Errorf("findCallsFold(%q, unescape): got %v, want %v", trim(text), got, want)
	}
	if got, want := findCallsFold(sc, jsAtobFuncs, false), callRegexps["atob"]().FindAllStringIndex(text, -1); !cmp.Equal(got, want) {
		t.Errorf("findCallsFold(%q, atob): got %v, want %v", trim(text), got, want)
	}
	if got, want := findShRefs(text), reShRef.FindAllStringSubmatchIndex(text, -1); !cmp.Equal(got, want) {
		t.Errorf("findShRefs(%q): got %v, want %v", trim(text), got, want)
	}
	for _, n := range []int{1, 16} {
		if got, want := findReverseHints(lower, n), reReverseHint.FindAllStringIndex(lower, n); !cmp.Equal(got, want) {
			t.Errorf("findReverseHints(%q, %d): got %v, want %v", trim(text), n, got, want)
		}
	}
	for i := 0; i < len(text) && i < 4096; i++ {
		if text[i] == '\'' || text[i] == '"' {
			rest := text[i+1 : min(len(text), i+257)]
			if got, want := jsReverseChain(rest), reJSReverse().FindStringIndex(rest); !cmp.Equal(got, want) {
				t.Errorf("jsReverseChain(%q): got %v, want %v", trim(rest), got, want)
			}
		}
	}
	if got, want := findCmdCs(text), reCmdC().FindAllStringSubmatchIndex(text, -1); !cmp.Equal(got, want) {
		t.Errorf("findCmdCs(%q): got %v, want %v", trim(text), got, want)
	}
	for _, w := range []string{lower, text} {
		if got, want := charHint(w), reCharHint.MatchString(w); got != want {
			t.Errorf("charHint(%q): got %v, want %v", trim(w), got, want)
		}
	}
	// At every quote of a prefix (psDouble may read to the end of its
	// text: every quote of a long text would be quadratic).
	head := text[:min(len(text), 4096)]
	for i := 0; i < len(head); i++ {
		if head[i] == '\'' || head[i] == '"' {
			rest := head[i+1 : min(len(head), i+33)]
			if got, want := replaceOp(rest), reReplaceOp().FindStringSubmatchIndex(rest); !cmp.Equal(got, want) {
				t.Errorf("replaceOp(%q): got %v, want %v", rest, got, want)
			}
		}
		if head[i] == '"' {
			if got, want := psDouble(head, i, 0), psDoubleEscaped(head, i, 0); got != want {
				t.Errorf("psDouble(%q, %d): got %+v, want %+v", trim(head), i, got, want)
			}
		}
	}
	if got, want := findPyMarshal(text), rePyMarshal.FindAllStringIndex(text, -1); !cmp.Equal(got, want) {
		t.Errorf("findPyMarshal(%q): got %v, want %v", trim(text), got, want)
	}
	// (?i) also folds U+017F and U+212A into ASCII letters; the lower-cased
	// pattern deliberately does not.
	if !strings.ContainsAny(text, "\u017f\u212a") {
		if got, want := findFromCharCodes(text), reFromCharCodeI.FindAllStringSubmatchIndex(text, -1); !cmp.Equal(got, want) {
			t.Errorf("findFromCharCodes(%q): got %v, want %v", trim(text), got, want)
		}
	}
}

func trim(s string) string {
	if len(s) > 200 {
		return s[:200] + "..."
	}
	return s
}

func TestMatchers(t *testing.T) {
	for i, s := range matchSeeds {
		t.Run(string(rune('a'+i)), func(t *testing.T) { checkMatchers(t, s) })
	}
}

// TestMatchersCorpus compares the matchers with their regexps on every dev
// sample.
func TestMatchersCorpus(t *testing.T) {
	corpus.Sweep(t, corpus.Dev, func(_, text string) { checkMatchers(t, text) })
}

func FuzzMatchers(f *testing.F) {
	for _, s := range append(matchSeeds, hintSeeds...) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if len(s) > 1<<16 {
			return
		}
		checkMatchers(t, s)
	})
}

// b64Runs lists what nextB64Run finds, as extractGenericBase64 walks it.
func b64Runs(t string, n int) []Span {
	var out []Span
	for i := 0; ; {
		r, ok := nextB64Run(t, i, n)
		if !ok {
			return out
		}
		out = append(out, r)
		i = r.End
	}
}

// b64RunsOracle lists the maximal base64 runs at least n long byte by byte.
func b64RunsOracle(t string, n int) []Span {
	var out []Span
	for i := 0; i < len(t); {
		if !isB64(t[i]) {
			i++
			continue
		}
		j := i
		for j < len(t) && isB64(t[j]) {
			j++
		}
		if j-i >= n {
			out = append(out, Span{i, j})
		}
		i = j
	}
	return out
}

func TestASCIILower(t *testing.T) {
	for _, s := range append(matchSeeds, strings.Repeat("AbC\u017f\xff", 400), strings.Repeat("x", 1000)+"Q", "") {
		want := []byte(s)
		for i, c := range want {
			if c >= 'A' && c <= 'Z' {
				want[i] = c + 32
			}
		}
		if got := asciiLower(s); got != string(want) {
			t.Errorf("asciiLower(%q) = %q, want %q", trim(s), trim(got), trim(string(want)))
		}
	}
}

// TestLazyRegexps compiles every pattern the package compiles on first
// use, so that a bad one fails here rather than in the middle of a scan.
func TestLazyRegexps(t *testing.T) {
	if len(lazyRegexps) < 20 {
		t.Fatalf("only %d lazy regexps registered", len(lazyRegexps))
	}
	for _, re := range lazyRegexps {
		first := re()
		if first == nil || re() != first {
			t.Fatal("a lazy regexp did not compile once")
		}
	}
}
