package features

import "github.com/automaldesc/automaldesc/analysis/attack"

// schema lists every feature Extract computes, in the order `automaldesc
// catalog` prints them. Tactic counts are appended from the ATT&CK data.
var schema = buildSchema()

func buildSchema() []Feature {
	s := []Feature{
		{"size", "bytes of the original text"},
		{"lines", "number of lines"},
		{"line_length_mean", "mean line length in bytes"},
		{"line_length_max", "longest line in bytes"},
		{"entropy", "Shannon entropy of the text, bits per byte"},
		{"literal_entropy_max", "entropy of the highest-entropy string literal of 32+ bytes"},
		{"alpha_ratio", "share of ASCII letters"},
		{"digit_ratio", "share of ASCII digits"},
		{"upper_ratio", "share of upper-case ASCII letters"},
		{"whitespace_ratio", "share of whitespace"},
		{"symbol_ratio", "share of ASCII punctuation and symbols"},
		{"non_ascii_ratio", "share of bytes outside ASCII"},
		{"token_length_max", "longest run of identifier/base64 characters"},
		{"base64_blobs", "runs of 64+ base64 characters"},
		{"hex_blobs", "runs of 64+ hex digits (optionally 0x/\\x/comma separated)"},
		{"char_code_runs", "runs of 8+ comma-separated small numbers (character-code arrays)"},
		{"comment_ratio", "share of lines that are comments in the sample's language"},
		{"layers", "decoded layers beyond the original"},
		{"layer_depth_max", "deepest chain of decoded layers"},
		{"layers_truncated", "layers cut by a decoding limit"},
		{"decoded_ratio", "decoded bytes per original byte"},
		{"indicators_total", "distinct indicators that fired"},
		{"indicators_info", "distinct info-severity indicators"},
		{"indicators_low", "distinct low-severity indicators"},
		{"indicators_medium", "distinct medium-severity indicators"},
		{"indicators_high", "distinct high-severity indicators"},
		{"indicators_critical", "distinct critical-severity indicators"},
		{"indicators_in_decoded", "distinct indicators first seen in a decoded layer"},
		{"yara_matches", "YARA rule matches over all layers"},
		{"yara_high", "YARA matches of high or critical severity"},
		{"techniques", "distinct ATT&CK techniques named by findings"},
		{"iocs_total", "distinct IOCs"},
		{"iocs_url", "distinct URLs"},
		{"iocs_ip", "distinct IP addresses"},
		{"iocs_domain", "distinct domains"},
		{"obfuscation_score", "0..1 blend of literal entropy, long lines, blobs, char-code runs, layers and symbol density"},
	}
	for _, t := range attack.Tactics() {
		s = append(s, Feature{"tactic_" + t.ShortName, "distinct indicators whose tactic is " + t.Name})
	}
	return s
}

// tacticFeature maps a tactic's short name to its schema feature.
var tacticFeature = func() map[string]string {
	m := map[string]string{}
	for _, t := range attack.Tactics() {
		if t.ShortName != "" { // Extract counts no tactic for an empty one
			m[t.ShortName] = "tactic_" + t.ShortName
		}
	}
	return m
}()

// Schema returns the feature schema shared by every language.
func Schema() []Feature { return append([]Feature(nil), schema...) }
