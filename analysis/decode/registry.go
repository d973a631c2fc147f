package decode

import (
	"sync"

	"github.com/automaldesc/automaldesc/analysis/lang"
)

// Decoder describes one registered decoder. The decoding function itself is
// unexported; Decoders lists them for catalogs and documentation.
type Decoder struct {
	ID          string
	Description string
	// Languages are the layer languages the decoder runs on; a layer of
	// unknown language runs every decoder.
	Languages []lang.Language
	// Output is the language of the layers the decoder emits, Unknown when
	// it must be identified (or inherited).
	Output lang.Language
	// Rewrite marks an in-place rewriter: it runs in the shared rewrite pass
	// that emits one whole-text layer.
	Rewrite bool

	hints   []string // lower-case substrings; the decoder runs only when one is present (none: always)
	extract func(s *scan) []finding
	rewrite func(s *scan) (out string, significant bool)
}

func (d *Decoder) handles(l lang.Language) bool {
	if l == lang.Unknown {
		return true
	}
	for _, x := range d.Languages {
		if x == l {
			return true
		}
	}
	return false
}

// scan is one text under decoding: a layer, or an intermediate text of the
// rewrite pass. Besides the text it memoises what several decoders derive
// from it: each language's literal lexer ran once per decoder on the same
// text before, and lexing was most of what decoding allocated.
type scan struct {
	text  string
	lower string // lowered(), once lowerDone
	lang  lang.Language
	max   int      // MaxLayerBytes
	hints hintMask // the decoders' hints found in lower by hintTableOf(lang)

	js   *jsLits  // lexJSLiterals(text), once made
	ps   *[]psLit // psLiterals(text) in a list from psLitsPool, once made
	vbs  []vbsLit // vbsLiterals(text), once vbsDone
	b64s [][]int  // reFromBase64 matches, once b64Done
	fold int8     // hasFoldRunes(text): 0 unknown, 1 no, 2 yes

	vbsDone, b64Done, lowerDone bool

	// fixed marks a text no rewriter of its language changes (the rewrite
	// pass ended on it).
	fixed bool
}

// newScan starts the scan of text in language l, its hints found with the
// table of l.
func newScan(text string, l lang.Language, max int) *scan {
	return &scan{text: text, lang: l, max: max, hints: hintTableOf(l).present(text)}
}

// lowered returns the ASCII-lowered text (same offsets). It is made on
// first use: the hints are found in the text as it is, and the decoders of
// many texts (Python, shell, most JavaScript) never need it.
func (s *scan) lowered() string {
	if !s.lowerDone {
		s.lower, s.lowerDone = asciiLower(s.text), true
	}
	return s.lower
}

// jsLits returns the JavaScript string literals of the text. The list is
// shared (callers must not modify it) and lives until s.release.
func (s *scan) jsLits() *jsLits {
	if s.js == nil {
		s.js = lexJSLiterals(s.text)
	}
	return s.js
}

// release ends the life of s: the lists it memoises go back to their
// pools. Nothing may use s afterwards, nor anything it returned but the
// strings (texts and literal values are never recycled).
//
// Every scan lives within one Decode call, on its goroutine: a layer's
// scan until run is done with it, an intermediate text of the rewrite pass
// until the next rewrite replaces it. The one the pass ends on travels
// with its result and becomes the next layer's scan, or is dropped; a scan
// that is never released is left to the collector.
func (s *scan) release() {
	if keepReleased {
		return
	}
	if s.js != nil {
		putJSLits(s.js)
		s.js = nil
	}
	if s.ps != nil {
		putPSLits(s.ps)
		s.ps = nil
	}
}

// Test hooks: keepReleased makes release a no-op (nothing is recycled),
// for the results recycling is compared with; releasePoison makes it
// overwrite what it recycles, so that a use after release shows.
var keepReleased, releasePoison = false, false

// psLits returns the PowerShell string literals of the text (shared, read
// only), in a recycled list that lives until s.release.
func (s *scan) psLits() []psLit {
	if s.ps == nil {
		s.ps = psLitsPool.Get().(*[]psLit)
		*s.ps = psLiterals(s.text, (*s.ps)[:0])
	}
	return *s.ps
}

// psLitsPool recycles the lists of psLits (see scan.release).
var psLitsPool = sync.Pool{New: func() any { return new([]psLit) }}

// putPSLits hands the list ls back to the pool; nothing may use it
// afterwards.
func putPSLits(ls *[]psLit) {
	if cap(*ls) > maxPooledLits {
		return
	}
	if releasePoison {
		for i := range *ls {
			(*ls)[i] = psLit{start: -1, end: -1, val: "released"}
		}
	}
	clear(*ls) // drop the values for the collector
	*ls = (*ls)[:0]
	psLitsPool.Put(ls)
}

// foldRunes reports hasFoldRunes(text).
func (s *scan) foldRunes() bool {
	if s.fold == 0 {
		s.fold = 1
		if hasFoldRunes(s.text) {
			s.fold = 2
		}
	}
	return s.fold == 2
}

// fromBase64s returns reFromBase64's matches in the text (shared, read
// only): four decoders look at them.
func (s *scan) fromBase64s() [][]int {
	if !s.b64Done {
		s.b64s, s.b64Done = reFromBase64.findAllSubmatchIndex(s), true
	}
	return s.b64s
}

// vbsLits returns the VBScript string literals of the text (shared, read
// only).
func (s *scan) vbsLits() []vbsLit {
	if !s.vbsDone {
		s.vbs, s.vbsDone = vbsLiterals(s.text), true
	}
	return s.vbs
}

// finding is a decoded span. An empty text with a note is a note-only marker
// (a binary or deliberately undecoded payload).
type finding struct {
	span      Span
	text      string
	size      int
	lang      lang.Language // Unknown: the decoder's Output, then Identify, then the parent's
	truncated bool
	note      string
}

var (
	allLangs = lang.All()
	psOnly   = []lang.Language{lang.PowerShell}
	jsOnly   = []lang.Language{lang.JavaScript}
	vbsOnly  = []lang.Language{lang.VBScript}
	batOnly  = []lang.Language{lang.Batch}
	shOnly   = []lang.Language{lang.Bash}
	pyOnly   = []lang.Language{lang.Python}
	notBatch = []lang.Language{lang.PowerShell, lang.JavaScript, lang.VBScript, lang.Bash, lang.Python}
)

// registry lists every decoder. Extractors run in this order; rewriters run
// in this order inside each round of the rewrite pass. It is never modified.
var registry = []Decoder{
	// PowerShell extractors.
	{ID: "ps.encodedcommand", Description: "powershell -EncodedCommand (any abbreviation: -e, -en, -enc, -ec, /enc ...) with a UTF-16LE base64 argument", Languages: notBatch, Output: lang.PowerShell, hints: []string{"-e", "/e"}, extract: extractEncodedCommand},
	{ID: "ps.command", Description: "command string handed to powershell.exe/pwsh (powershell [options] \"...\" or -Command ...)", Languages: allLangs, Output: lang.PowerShell, hints: []string{"powershell", "pwsh"}, extract: extractPSCommandLine},
	{ID: "ps.gzip", Description: "GzipStream over [Convert]::FromBase64String('...'): base64 then gzip (raw deflate accepted)", Languages: psOnly, hints: []string{"gzipstream"}, extract: extractPSCompressed(fmtGzip)},
	{ID: "ps.deflate", Description: "DeflateStream over [Convert]::FromBase64String('...'): base64 then raw deflate", Languages: psOnly, hints: []string{"deflatestream"}, extract: extractPSCompressed("deflate")},
	{ID: "ps.frombase64", Description: "[Convert]::FromBase64String('...') decoded with [Text.Encoding]::Unicode|UTF8|ASCII.GetString (UTF-16LE for Unicode)", Languages: psOnly, hints: []string{"frombase64string"}, extract: extractFromBase64},
	{ID: "ps.charcodes", Description: "char-code lists turned into text: [char[]](72,101,...), (72,101)|%{[char]$_}, delimited code strings split with -split/.Split, any base via [Convert]::ToInt16(x,base), optional -bxor key", Languages: psOnly, hints: []string{"char"}, extract: extractPSCharCodes},
	{ID: "ps.bxor", Description: "-bxor with a constant key over a literal byte array or a FromBase64String blob", Languages: psOnly, hints: []string{"-bxor"}, extract: extractPSBxor},
	{ID: "ps.reverse", Description: "reversed string literal: [array]::Reverse, 'RightToLeft' regex matches, -join $s[-1..-n]", Languages: psOnly, hints: []string{"reverse", "righttoleft", "[-1..-"}, extract: extractPSReverse},
	{ID: "ps.iex", Description: "literal argument of Invoke-Expression/IEX (also piped, and &/. with an obfuscated iex name)", Languages: psOnly, hints: []string{"iex", "invoke-expression", "$pshome", "$shellid", "verbosepreference", "mdr", "comspec"}, extract: extractPSIEX},
	// PowerShell rewriters.
	{ID: "ps.backtick", Description: "backtick escapes inside words removed (I`E`X -> IEX)", Languages: psOnly, Rewrite: true, hints: []string{"`"}, rewrite: rewritePSBacktick},
	{ID: "ps.charcast", Description: "[char]NN casts turned into one-character literals", Languages: psOnly, Rewrite: true, hints: []string{"[char]"}, rewrite: rewritePSCharCast},
	{ID: "ps.concat", Description: "concatenation of string literals folded ('a'+\"b\" -> 'ab')", Languages: psOnly, Rewrite: true, hints: []string{"+"}, rewrite: rewritePSConcat},
	{ID: "ps.format", Description: "-f format operator with literal arguments evaluated (\"{1}{0}\" -f 'b','a' -> 'ab')", Languages: psOnly, Rewrite: true, hints: []string{"-f"}, rewrite: rewritePSFormat},
	{ID: "ps.replace", Description: ".Replace('x','y') and -replace/-creplace 'x','y' on literals evaluated", Languages: psOnly, Rewrite: true, hints: []string{"replace"}, rewrite: rewritePSReplace},
	{ID: "ps.join", Description: "[string]::Join('', ...) and -join over literal lists evaluated", Languages: psOnly, Rewrite: true, hints: []string{"join"}, rewrite: rewritePSJoin},
	{ID: "ps.parens", Description: "parentheses around a lone literal dropped so that operators apply to it", Languages: psOnly, Rewrite: true, hints: []string{"('", "(\"", "( '", "( \""}, rewrite: rewritePSParens},

	// JavaScript extractors and rewriters.
	{ID: "js.eval", Description: "literal argument of eval, Function/new Function, setTimeout/setInterval, new ActiveXObject, WScript.Shell .Run/.Exec", Languages: jsOnly, hints: []string{"eval", "function(", "function (", "settimeout", "setinterval", "activexobject", ".run", ".exec", "execute"}, extract: extractJSSinks},
	{ID: "js.escape", Description: "\\xNN, \\uNNNN, \\u{...} and octal escapes in string literals decoded", Languages: jsOnly, Rewrite: true, hints: []string{"\\x", "\\u", "\\0", "\\1", "\\2", "\\3"}, rewrite: rewriteJSEscapes},
	{ID: "js.fromcharcode", Description: "String.fromCharCode(...) of numeric lists turned into a literal", Languages: jsOnly, Rewrite: true, hints: []string{"fromcharcode"}, rewrite: rewriteJSFromCharCode},
	{ID: "js.unescape", Description: "unescape('%u..%..'), decodeURIComponent('...') and decodeURI('...') of literals evaluated", Languages: jsOnly, Rewrite: true, hints: []string{"unescape", "decodeuri"}, rewrite: rewriteJSUnescape},
	{ID: "js.atob", Description: "atob('...') of a literal evaluated", Languages: jsOnly, Rewrite: true, hints: []string{"atob"}, rewrite: rewriteJSAtob},
	{ID: "js.stringarray", Description: "string-array lookup tables (var _0xabc=['a','b']; _0xabc[1]) replaced by the literal", Languages: jsOnly, Rewrite: true, hints: []string{"["}, rewrite: rewriteJSStringArray},
	{ID: "js.reverse", Description: "'...'.split('').reverse().join('') of a literal evaluated", Languages: jsOnly, Rewrite: true, hints: []string{"reverse"}, rewrite: rewriteJSReverse},
	{ID: "js.concat", Description: "concatenation of string literals folded ('a'+\"b\" -> \"ab\")", Languages: jsOnly, Rewrite: true, hints: []string{"+"}, rewrite: rewriteJSConcat},

	// VBScript.
	{ID: "vbs.execute", Description: "literal argument of Execute, ExecuteGlobal and Eval", Languages: vbsOnly, Output: lang.VBScript, hints: []string{"execute", "eval"}, extract: extractVBSExecute},
	{ID: "vbs.chr", Description: "Chr/ChrW/ChrB(NN) calls (constant arithmetic allowed) turned into literals", Languages: vbsOnly, Rewrite: true, hints: []string{"chr"}, rewrite: rewriteVBSChr},
	{ID: "vbs.strreverse", Description: "StrReverse(\"...\") of a literal evaluated", Languages: vbsOnly, Rewrite: true, hints: []string{"strreverse"}, rewrite: rewriteVBSStrReverse},
	{ID: "vbs.replace", Description: "Replace(\"...\",\"x\",\"y\") of literals evaluated", Languages: vbsOnly, Rewrite: true, hints: []string{"replace"}, rewrite: rewriteVBSReplace},
	{ID: "vbs.concat", Description: "concatenation of string literals with & or + folded", Languages: vbsOnly, Rewrite: true, hints: []string{"&", "+"}, rewrite: rewriteVBSConcat},

	// Batch.
	{ID: "batch.powershell-enc", Description: "powershell -enc/-e/-EncodedCommand ... hand-off in a batch file: UTF-16LE base64 decoded to a PowerShell layer", Languages: batOnly, Output: lang.PowerShell, hints: []string{"-e", "/e"}, extract: extractEncodedCommand},
	{ID: "batch.cmd", Description: "nested cmd /c \"...\" (or /k, /r) command string", Languages: batOnly, Output: lang.Batch, hints: []string{"cmd"}, extract: extractCmdC},
	{ID: "batch.caret", Description: "caret escapes removed (p^o^w^e^r^s^h^e^l^l -> powershell)", Languages: batOnly, Rewrite: true, hints: []string{"^"}, rewrite: rewriteBatchCaret},
	{ID: "batch.set", Description: "set variable substitution: %var%, !var!, %var:~start,len% substrings (negative too), %var:a=b% replacement", Languages: batOnly, Rewrite: true, hints: []string{"%", "!"}, rewrite: rewriteBatchSet},

	// Bash / sh.
	{ID: "bash.base64", Description: "echo/printf/<<< literal piped through base64 -d/--decode, openssl base64 -d, openssl enc -base64 -d", Languages: shOnly, hints: []string{"base64"}, extract: extractBashBase64},
	{ID: "bash.printf", Description: "printf '\\x..' and echo -e '\\x..\\NNN' escape sequences decoded", Languages: shOnly, hints: []string{"printf", "echo"}, extract: extractBashPrintf},
	{ID: "bash.eval", Description: "literal argument of eval and of sh/bash -c", Languages: shOnly, Output: lang.Bash, hints: []string{"eval", "-c"}, extract: extractBashEval},
	{ID: "bash.rev", Description: "rev of a literal (echo '...' | rev, rev <<< '...')", Languages: shOnly, hints: []string{"rev"}, extract: extractBashRev},
	{ID: "bash.ansic", Description: "$'...' ANSI-C quoted strings decoded in place", Languages: shOnly, Rewrite: true, hints: []string{"$'"}, rewrite: rewriteBashANSIC},
	{ID: "bash.vars", Description: "words made of concatenated variables with literal values ($a$b after a=cu;b=rl) substituted", Languages: shOnly, Rewrite: true, hints: []string{"$"}, rewrite: rewriteBashVars},

	// Python.
	{ID: "py.exec", Description: "exec/eval/compile of a literal passed through base64 (b64/b32/b85/a85/b16), zlib/bz2/gzip, codecs rot13/hex, bytes.fromhex, [::-1]", Languages: pyOnly, hints: []string{"exec", "eval", "compile"}, extract: extractPyExec},
	{ID: "py.decompress", Description: "zlib/bz2/gzip .decompress of a decodable literal (lzma is noted, not decoded)", Languages: pyOnly, hints: []string{"decompress"}, extract: extractPyCall(pyDecompressFuncs)},
	{ID: "py.codecs", Description: "codecs.decode(literal, 'rot13'|'rot_13'|'hex'|'base64'|'zlib')", Languages: pyOnly, hints: []string{"codecs"}, extract: extractPyCall(pyCodecsFuncs)},
	{ID: "py.hex", Description: "bytes.fromhex / binascii.unhexlify of a literal", Languages: pyOnly, hints: []string{"fromhex", "unhexlify", "a2b_hex"}, extract: extractPyCall(pyHexFuncs)},
	{ID: "py.base64", Description: "base64.b64decode/b32decode/b85decode/a85decode/b16decode/decodebytes of a literal", Languages: pyOnly, hints: []string{"decode"}, extract: extractPyCall(pyBase64Funcs)},
	{ID: "py.marshal", Description: "marshal.loads payload: never unmarshalled, recorded as a note-only marker", Languages: pyOnly, hints: []string{"marshal"}, extract: extractPyMarshal},

	// Any language.
	{ID: "generic.base64", Description: "long standalone base64 blob (>= 40 chars) that decodes to mostly printable text or to a compressed stream", Languages: allLangs, extract: extractGenericBase64},
}

// Decoders returns the registry: every decoder with its id, description and
// languages, in the order they run.
func Decoders() []Decoder {
	out := make([]Decoder, len(registry))
	copy(out, registry)
	return out
}
