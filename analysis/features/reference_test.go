package features

// The implementations before the verdict stage was tuned for speed, kept
// verbatim as references for the differential tests in equal_test.go.

import (
	"math"
	"math/bits"
	"strconv"
	"strings"

	"github.com/automaldesc/automaldesc/analysis/decode"
	"github.com/automaldesc/automaldesc/analysis/indicators"
	"github.com/automaldesc/automaldesc/analysis/ioc"
	"github.com/automaldesc/automaldesc/analysis/lang"
)

// refModelInput turns the evidence and schema features into the sparse vector
// the verdict model reads:
//
//	feat:<name>    schema features (sizes and counts log-scaled)
//	ind:<id>       1 for each indicator that fired
//	yara:<rule>    1 for each YARA rule that matched
//	decode:<id>    1 for each decoder that produced a layer
//	lang:<name>    1 for the sample's language
//	tok:<hash>     1 for each hashed token unigram and bigram of every layer
func refModelInput(in Input, f map[string]float64) map[string]float64 {
	x := make(map[string]float64, len(f)+len(in.Hits)+512)
	for name, v := range f {
		if logScaled[name] {
			v = math.Log1p(v)
		}
		x["feat:"+name] = v
	}
	for _, h := range in.Hits {
		x["ind:"+h.ID] = 1
	}
	for _, m := range in.YARA {
		x["yara:"+m.Rule] = 1
	}
	for _, l := range in.Layers[min(1, len(in.Layers)):] {
		x["decode:"+l.Method] = 1
	}
	x["lang:"+in.Language.String()] = 1
	for _, h := range refTokenHashes(in.Layers) {
		x[refTokenName(h)] = 1
	}
	return x
}

func refTokenName(h uint32) string {
	b := make([]byte, 0, 9)
	b = append(b, "tok:"...)
	return string(strconv.AppendUint(b, uint64(h), 16))
}

// refTokenHashes returns the distinct hashed lower-cased identifier unigrams
// and bigrams of the layers' texts (at most scanLimit bytes of each), sorted.
func refTokenHashes(layers []decode.Layer) []uint32 {
	// A bitset over the buckets instead of a map: walking it yields the
	// hashes sorted.
	set := make([]uint64, TokenBuckets/64)
	n := 0
	add := func(b uint32) {
		if w, bit := &set[b>>6], uint64(1)<<(b&63); *w&bit == 0 {
			*w |= bit
			n++
		}
	}
	for _, l := range layers {
		text := l.Text
		if len(text) > scanLimit {
			text = text[:scanLimit]
		}
		var prev uint32
		havePrev := false
		refForEachToken(text, func(h uint32, _, _ int) {
			add(h % TokenBuckets)
			if havePrev {
				add(bigram(prev, h))
			}
			prev, havePrev = h, true
		})
	}
	out := make([]uint32, 0, n)
	for i, w := range set {
		for w != 0 {
			out = append(out, uint32(i<<6|bits.TrailingZeros64(w)))
			w &= w - 1
		}
	}
	return out
}

// refTokenText finds the text behind a "tok:<hex>" model feature in the layers:
// the first unigram or bigram whose hash is that bucket. It lets a report
// show which words a token contribution stands for.
func refTokenText(layers []decode.Layer, feature string) (string, bool) {
	hexPart, ok := strings.CutPrefix(feature, "tok:")
	if !ok {
		return "", false
	}
	want, err := strconv.ParseUint(hexPart, 16, 32)
	if err != nil {
		return "", false
	}
	for _, l := range layers {
		text := l.Text
		if len(text) > scanLimit {
			text = text[:scanLimit]
		}
		found := ""
		var prev uint32
		prevStart, prevEnd := -1, -1
		refForEachToken(text, func(h uint32, start, end int) {
			if found != "" {
				return
			}
			switch {
			case h%TokenBuckets == uint32(want):
				found = text[start:end]
			case prevStart >= 0 && bigram(prev, h) == uint32(want):
				found = text[prevStart:prevEnd] + " " + text[start:end]
			}
			prev, prevStart, prevEnd = h, start, end
		})
		if found != "" {
			if len(found) > 60 {
				found = found[:60] + "..."
			}
			return found, true
		}
	}
	return "", false
}

// refForEachToken calls fn with the FNV-1a hash of each lower-cased token of
// 2..40 identifier characters (letters, digits, _ - $ .). Longer runs are
// hashed as their length class, so random blobs do not flood the space. A
// '/' that starts a word (after a blank or at the start of the text) stays
// on the token: Windows command-line switches ("/s", "/b", "/t") are most of
// the vocabulary of one-line batch commands, and "-s" already is a token.
func refForEachToken(s string, fn func(h uint32, start, end int)) {
	const offset, prime = 2166136261, 16777619
	start := -1
	emit := func(end int) {
		n := end - start
		if n < 2 {
			return
		}
		if n > 40 {
			fn(uint32(offset^n/64)*prime, start, end)
			return
		}
		h := uint32(offset)
		for i := start; i < end; i++ {
			c := s[i]
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			h ^= uint32(c)
			h *= prime
		}
		fn(h, start, end)
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		ident := c == '_' || c == '-' || c == '$' || c == '.' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
		if ident {
			if start < 0 {
				start = i
				if isSwitchSlash(s, i-1) {
					start = i - 1 // "/s": a command-line switch
				}
			}
			continue
		}
		if start >= 0 {
			emit(i)
			start = -1
		}
	}
	if start >= 0 {
		emit(len(s))
	}
}

// refTextStats computes the character-level statistics in a few linear passes.
func refTextStats(text string, l lang.Language) stats {
	st := stats{n: len(text)}
	if len(text) == 0 {
		return st
	}
	var hist [256]int
	lineLen, tokenLen, b64Run, hexRun := 0, 0, 0, 0
	for i := 0; i < len(text); i++ {
		c := text[i]
		hist[c]++
		switch {
		case c >= 0x80:
			st.nonASCII++
		case 'a' <= c && c <= 'z':
			st.alpha++
		case 'A' <= c && c <= 'Z':
			st.alpha++
			st.upper++
		case '0' <= c && c <= '9':
			st.digit++
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			st.space++
		default:
			st.symbol++
		}
		if c == '\n' {
			st.lines++
			st.maxLine = max(st.maxLine, lineLen)
			lineLen = 0
		} else {
			lineLen++
		}
		if isBase64(c) {
			tokenLen++
			b64Run++
		} else {
			st.longestToken = max(st.longestToken, tokenLen)
			tokenLen = 0
			if b64Run >= 64 {
				st.base64Blobs++
			}
			b64Run = 0
		}
		if isHex(c) || c == 'x' || c == 'X' || c == '\\' || c == ',' {
			hexRun++
		} else {
			if hexRun >= 64 {
				st.hexBlobs++
			}
			hexRun = 0
		}
	}
	st.longestToken = max(st.longestToken, tokenLen)
	if b64Run >= 64 {
		st.base64Blobs++
	}
	if hexRun >= 64 {
		st.hexBlobs++
	}
	if lineLen > 0 {
		st.lines++
		st.maxLine = max(st.maxLine, lineLen)
	}
	st.meanLine = float64(len(text)-strings.Count(text, "\n")) / float64(max(st.lines, 1))
	st.entropy = entropy(hist[:], len(text))
	st.maxLiteralEntropy = refMaxLiteralEntropy(text)
	st.charCodeRuns = refCharCodeRuns(text)
	st.commentRatio = commentRatio(text, l)
	return st
}

// refCharCodeRuns counts runs of at least 8 comma-separated numbers below
// 0x110000 (character-code arrays).
func refCharCodeRuns(text string) int {
	runs, count := 0, 0
	i := 0
	for i < len(text) {
		c := text[i]
		if '0' <= c && c <= '9' {
			j := i
			for j < len(text) && ('0' <= text[j] && text[j] <= '9') {
				j++
			}
			if j-i <= 7 {
				count++
			}
			k := j
			for k < len(text) && (text[k] == ' ' || text[k] == '\t') {
				k++
			}
			if k < len(text) && text[k] == ',' {
				i = k + 1
				continue
			}
			if count >= 8 {
				runs++
			}
			count = 0
			i = j
			continue
		}
		if c != ' ' && c != '\t' && c != '\n' && c != '\r' {
			if count >= 8 {
				runs++
			}
			count = 0
		}
		i++
	}
	if count >= 8 {
		runs++
	}
	return runs
}

// refMaxLiteralEntropy returns the entropy of the highest-entropy quoted
// literal of at least 32 bytes (single or double quotes, one line).
func refMaxLiteralEntropy(text string) float64 {
	best := 0.0
	for i := 0; i < len(text); i++ {
		q := text[i]
		if q != '"' && q != '\'' {
			continue
		}
		j := i + 1
		for j < len(text) && text[j] != q && text[j] != '\n' {
			j++
		}
		if j < len(text) && text[j] == q && j-i-1 >= 32 {
			var hist [256]int
			lit := text[i+1 : j]
			for k := 0; k < len(lit); k++ {
				hist[lit[k]]++
			}
			best = math.Max(best, entropy(hist[:], len(lit)))
		}
		i = j
	}
	return best
}

// refExtract computes the schema's features. Every name in Schema() is present
// in the result, so vectors from different languages line up.
func refExtract(in Input) map[string]float64 {
	f := make(map[string]float64, len(schema))
	for _, s := range schema {
		f[s.Name] = 0
	}
	if len(in.Layers) == 0 {
		return f
	}
	text := in.Layers[0].Text
	if len(text) > scanLimit {
		text = text[:scanLimit]
	}
	st := refTextStats(text, in.Language)
	f["size"] = float64(in.Layers[0].Size)
	f["lines"] = float64(st.lines)
	f["line_length_mean"] = st.meanLine
	f["line_length_max"] = float64(st.maxLine)
	f["entropy"] = st.entropy
	f["literal_entropy_max"] = st.maxLiteralEntropy
	f["alpha_ratio"] = st.ratio(st.alpha)
	f["digit_ratio"] = st.ratio(st.digit)
	f["upper_ratio"] = st.ratio(st.upper)
	f["whitespace_ratio"] = st.ratio(st.space)
	f["symbol_ratio"] = st.ratio(st.symbol)
	f["non_ascii_ratio"] = st.ratio(st.nonASCII)
	f["token_length_max"] = float64(st.longestToken)
	f["base64_blobs"] = float64(st.base64Blobs)
	f["hex_blobs"] = float64(st.hexBlobs)
	f["char_code_runs"] = float64(st.charCodeRuns)
	f["comment_ratio"] = st.commentRatio

	maxDepth, truncated, decoded := 0, 0, 0
	depth := make([]int, len(in.Layers))
	for i, l := range in.Layers {
		if i > 0 && l.Parent >= 0 && l.Parent < i {
			depth[i] = depth[l.Parent] + 1
		}
		if depth[i] > maxDepth {
			maxDepth = depth[i]
		}
		if l.Truncated {
			truncated++
		}
		if i > 0 {
			decoded += l.Size
		}
	}
	f["layers"] = float64(len(in.Layers) - 1)
	f["layer_depth_max"] = float64(maxDepth)
	f["layers_truncated"] = float64(truncated)
	if in.Layers[0].Size > 0 {
		f["decoded_ratio"] = float64(decoded) / float64(in.Layers[0].Size)
	}

	seen := map[string]bool{}
	for _, h := range in.Hits {
		if seen[h.ID] {
			continue
		}
		seen[h.ID] = true
		f["indicators_total"]++
		if name, ok := severityFeature[h.Severity]; ok {
			f[name]++
		}
		if h.Tactic != "" {
			if _, ok := f["tactic_"+h.Tactic]; ok {
				f["tactic_"+h.Tactic]++
			}
		}
		if h.Layer > 0 {
			f["indicators_in_decoded"]++
		}
	}
	for _, m := range in.YARA {
		f["yara_matches"]++
		if s, err := indicators.ParseSeverity(m.Severity); err == nil && s >= indicators.SeverityHigh {
			f["yara_high"]++
		}
	}
	techniques := map[string]bool{}
	for _, h := range in.Hits {
		for _, t := range h.Techniques {
			techniques[t] = true
		}
	}
	for _, m := range in.YARA {
		for _, t := range m.Techniques {
			techniques[t] = true
		}
	}
	f["techniques"] = float64(len(techniques))
	for _, c := range in.IOCs {
		f["iocs_total"]++
		switch c.Type {
		case ioc.URL:
			f["iocs_url"]++
		case ioc.IPv4, ioc.IPv6:
			f["iocs_ip"]++
		case ioc.Domain:
			f["iocs_domain"]++
		}
	}
	f["obfuscation_score"] = obfuscationScore(f)
	return f
}

// commentRatio is the share of non-blank lines that are whole-line comments
// in l's syntax, line by line as the original did; textStats computes it in
// its walk over the lines.
func commentRatio(text string, l lang.Language) float64 {
	comments, total := 0, 0
	for line := range strings.SplitSeq(text, "\n") {
		t := strings.TrimSpace(line)
		if t == "" {
			continue
		}
		total++
		if isComment(t, l) {
			comments++
		}
	}
	if total == 0 {
		return 0
	}
	return float64(comments) / float64(total)
}
