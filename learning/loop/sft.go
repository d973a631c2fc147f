package loop

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/automaldesc/automaldesc/learning/dataset"
)

// SFT prompt wording (our own). The user turn carries the script between
// markers; the assistant answers with the paper-compatible view.
const (
	SFTSystem = "You are a malware analyst. You read one script statically - it is never run - and answer " +
		"with a JSON object: language (powershell, javascript, vbscript, batch, bash or python), label " +
		"(1 malicious, 0 benign) and summary (what the script does, step by step, and why it is or is not malicious)."
	sftUserPrefix = "Classify and describe this script.\n<<<SCRIPT\n"
	sftUserSuffix = "\nSCRIPT>>>"
)

// SFTMessage is one chat turn.
type SFTMessage struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

// SFTRecord is one chat-format training line.
type SFTRecord struct {
	Messages []SFTMessage `json:"messages"`
}

// SFTAnswer is the assistant's answer: the paper-compatible view.
type SFTAnswer struct {
	Language string `json:"language"`
	Label    int    `json:"label"` // 1 malicious, 0 benign
	Summary  string `json:"summary"`
}

// NewSFTRecord builds the chat record of one (script, answer) pair. The
// script is cut to maxChars bytes (at a rune boundary; <= 0: no cut) and
// invalid UTF-8 is replaced, so every line is valid JSON text.
func NewSFTRecord(script []byte, language string, label dataset.Label, summary string, maxChars int) (SFTRecord, error) {
	var l int
	switch label {
	case dataset.Malicious:
		l = 1
	case dataset.Benign:
	default:
		return SFTRecord{}, fmt.Errorf("sft: label %q is not malicious or benign", label)
	}
	if strings.TrimSpace(summary) == "" {
		return SFTRecord{}, fmt.Errorf("sft: empty summary")
	}
	if maxChars > 0 && len(script) > maxChars {
		cut := maxChars
		for cut > 0 && !utf8.RuneStart(script[cut]) {
			cut--
		}
		script = script[:cut]
	}
	text := strings.ToValidUTF8(string(script), "\uFFFD")
	ans, err := json.Marshal(SFTAnswer{Language: language, Label: l, Summary: summary})
	if err != nil {
		return SFTRecord{}, err
	}
	return SFTRecord{Messages: []SFTMessage{
		{Role: "system", Content: SFTSystem},
		{Role: "user", Content: sftUserPrefix + text + sftUserSuffix},
		{Role: "assistant", Content: string(ans)},
	}}, nil
}

// WriteSFT writes records as JSONL.
func WriteSFT(w io.Writer, recs []SFTRecord) error {
	enc := json.NewEncoder(w)
	for _, r := range recs {
		if err := enc.Encode(r); err != nil {
			return err
		}
	}
	return nil
}

// WriteKept writes kept pseudo-labels as JSONL (what export sft reads).
func WriteKept(w io.Writer, kept []Kept) error {
	enc := json.NewEncoder(w)
	for _, k := range kept {
		if err := enc.Encode(k); err != nil {
			return err
		}
	}
	return nil
}

// ReadKept reads the JSONL WriteKept wrote.
func ReadKept(r io.Reader) ([]Kept, error) {
	dec := json.NewDecoder(r)
	var out []Kept
	for {
		var k Kept
		err := dec.Decode(&k)
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("kept line %d: %w", len(out)+1, err)
		}
		out = append(out, k)
	}
}
