package explain

import (
	"strings"

	"github.com/automaldesc/automaldesc/analysis/attack"
)

// stage is a step of an attack chain. The order of the constants is the
// order in which the explanation tells the steps: a script first decodes
// itself, weakens defences, fetches and drops its payload, runs it,
// escalates and persists, then acts on the host and talks to the outside.
type stage uint8

const (
	stDecode stage = iota
	stEvade
	stDownload
	stDrop
	stExecute
	stPrivEsc
	stPersist
	stCredential
	stCollect
	stDiscover
	stLateral
	stC2
	stExfil
	stImpact
	stOther
	numStages
)

var stageNames = [numStages]string{
	"decode", "evade", "download", "drop", "execute", "privilege-escalation", "persist",
	"credential-access", "collection", "discovery", "lateral-movement", "command-and-control",
	"exfiltration", "impact", "other",
}

// String returns the stage's short name.
func (s stage) String() string {
	if s < numStages {
		return stageNames[s]
	}
	return "other"
}

// idPrefixStages maps the catalog's id prefixes to stages. The prefix wins
// over the tactic: download.curl_pipe_shell is tagged "execution", but the
// story tells it as the download step.
var idPrefixStages = []struct {
	prefix string
	st     stage
}{
	{"obf.", stDecode}, {"obfuscation.", stDecode},
	{"evasion.uac", stPrivEsc},
	{"evasion.", stEvade}, {"prompt.", stEvade},
	{"download.", stDownload},
	{"exec.", stExecute}, {"inject.", stExecute}, {"injection.", stExecute}, {"pkg.node_env", stExfil}, {"pkg.py_install_beacon", stExfil}, {"pkg.", stDownload},
	{"persist.", stPersist},
	{"cred.", stCredential},
	{"collect.", stCollect},
	{"disc.", stDiscover},
	{"lateral.", stLateral},
	{"shell.", stC2},
	{"exfil.", stExfil},
	{"impact.", stImpact},
}

// tacticStages maps ATT&CK tactic short names to stages.
var tacticStages = map[string]stage{
	"defense-evasion":      stEvade,
	"command-and-control":  stC2,
	"execution":            stExecute,
	"persistence":          stPersist,
	"privilege-escalation": stPrivEsc,
	"credential-access":    stCredential,
	"collection":           stCollect,
	"discovery":            stDiscover,
	"lateral-movement":     stLateral,
	"exfiltration":         stExfil,
	"impact":               stImpact,
	"initial-access":       stDownload,
}

// techniqueStage places a finding by its techniques when they name a step
// more precisely than the tactic does (T1140 is "defense-evasion", but the
// step is decoding).
func techniqueStage(techs []string) (stage, bool) {
	for _, t := range techs {
		switch {
		case t == "T1140" || t == "T1027" || strings.HasPrefix(t, "T1027."):
			return stDecode, true
		case t == "T1105":
			return stDownload, true
		case strings.HasPrefix(t, "T1218") || strings.HasPrefix(t, "T1216"):
			// Signed-binary proxy execution: ATT&CK files it under
			// defense-evasion, but in the story it is how code runs.
			return stExecute, true
		}
	}
	return stOther, false
}

// classifyHit returns the stage of an indicator from its id, techniques and
// primary tactic.
func classifyHit(id, tactic string, techs []string) stage {
	if strings.HasPrefix(id, "lolbin.") {
		// Living-off-the-land binaries: what they are used for decides.
		if strings.Contains(id, "download") || strings.Contains(id, "bitsadmin") || strings.Contains(id, "curl") {
			return stDownload
		}
		if st, ok := techniqueStage(techs); ok {
			return st
		}
		return stExecute
	}
	for _, p := range idPrefixStages {
		if strings.HasPrefix(id, p.prefix) {
			return p.st
		}
	}
	if st, ok := techniqueStage(techs); ok {
		return st
	}
	if st, ok := tacticStages[tactic]; ok {
		return st
	}
	return stOther
}

// yaraNameStages places a YARA rule by words of its name; rule authors name
// families after what they do.
var yaraNameStages = []struct {
	word string
	st   stage
}{
	{"reversed", stDecode}, {"rs_", stC2}, {"reverse", stC2}, {"revshell", stC2},
	{"ransom", stImpact}, {"miner", stImpact}, {"wiper", stImpact},
	{"cred", stCredential}, {"stealer", stCredential}, {"keylog", stCredential}, {"mimikatz", stCredential},
	{"uac", stPrivEsc},
	{"persist", stPersist}, {"run_key", stPersist}, {"schtask", stPersist}, {"scheduled_task", stPersist}, {"startup", stPersist},
	{"injection", stExecute}, {"reflective", stExecute}, {"proxy_execution", stExecute},
	{"dropper", stDrop}, {"write", stDrop},
	{"download", stDownload}, {"cradle", stDownload}, {"transfer", stDownload},
	{"obfusc", stDecode}, {"encoded", stDecode}, {"decode", stDecode}, {"base64", stDecode},
	{"charcode", stDecode}, {"xor", stDecode},
	{"exfil", stExfil},
	{"amsi", stEvade}, {"bypass", stEvade}, {"disable", stEvade}, {"evasion", stEvade}, {"wipe", stEvade},
}

// classifyYARA returns the stage of a YARA rule from its name, then its
// techniques and their tactics.
func classifyYARA(rule string, techs []string) stage {
	lower := strings.ToLower(rule)
	if strings.HasPrefix(lower, "rs_") {
		return stC2
	}
	for _, w := range yaraNameStages {
		if strings.Contains(lower, w.word) {
			return w.st
		}
	}
	if st, ok := techniqueStage(techs); ok {
		return st
	}
	for _, t := range techs {
		if at, ok := attack.Lookup(t); ok && len(at.Tactics) > 0 {
			if st, ok := tacticStages[at.Tactics[0]]; ok {
				return st
			}
		}
	}
	return stExecute
}
