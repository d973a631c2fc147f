package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

type cortexResult struct {
	Success      bool   `json:"success"`
	ErrorMessage string `json:"errorMessage"`
	Summary      struct {
		Taxonomies []CortexTaxonomy `json:"taxonomies"`
	} `json:"summary"`
	Full struct {
		Status string `json:"status"`
		Sample struct {
			Name string `json:"name"`
		} `json:"sample"`
	} `json:"full"`
	Artifacts  []CortexArtifact  `json:"artifacts"`
	Operations []json.RawMessage `json:"operations"`
}

func cortexJob(t *testing.T, input string, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	if input != "" {
		write(t, filepath.Join(dir, "input"), "input.json", input)
	}
	for name, body := range files {
		write(t, filepath.Join(dir, "input"), name, body)
	}
	return dir
}

func TestCortexJob(t *testing.T) {
	tests := []struct {
		name      string
		input     string
		files     map[string]string
		wantOK    bool
		wantLevel string
		wantError string
		wantArt   string // an artifact "type:value"
	}{
		{"malicious file", `{"dataType":"file","file":"attachment","filename":"cradle.ps1","tlp":2,"config":{}}`,
			map[string]string{"attachment": cradlePS}, true, "malicious", "", "ip:192.0.2.10"},
		{"benign file", `{"dataType":"file","file":"attachment","filename":"rotate.ps1"}`,
			map[string]string{"attachment": benignPS}, true, "safe", "", ""},
		{"hash observable", `{"dataType":"hash","data":"0123456789abcdef0123456789abcdef"}`, nil, false, "", "cannot be analysed", ""},
		{"file outside input", `{"dataType":"file","file":"../../etc/passwd","filename":"x"}`, nil, false, "", "not a file name inside", ""},
		{"missing file", `{"dataType":"file","file":"absent","filename":"x.ps1"}`, nil, false, "", "absent", ""},
		{"broken input", `{"dataType":`, nil, false, "", "input.json", ""},
		{"no input", "", nil, false, "", "read input", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			job := cortexJob(t, tc.input, tc.files)
			r := runBin(t, "", nil, "cortex", job)
			if r.code != 0 {
				t.Fatalf("exit code: got %d, want 0\nstderr: %s", r.code, r.stderr)
			}
			b, err := os.ReadFile(filepath.Join(job, "output", "output.json"))
			if err != nil {
				t.Fatal(err)
			}
			var out cortexResult
			if err := json.Unmarshal(b, &out); err != nil {
				t.Fatalf("output.json: %v\n%s", err, b)
			}
			if out.Success != tc.wantOK {
				t.Fatalf("success: got %v, want %v (%s)", out.Success, tc.wantOK, out.ErrorMessage)
			}
			if !tc.wantOK {
				if !strings.Contains(out.ErrorMessage, tc.wantError) {
					t.Errorf("errorMessage: got %q, want it to mention %q", out.ErrorMessage, tc.wantError)
				}
				return
			}
			tax := out.Summary.Taxonomies
			if len(tax) == 0 || tax[0].Predicate != "verdict" || tax[0].Namespace != "automaldesc" || tax[0].Level != tc.wantLevel {
				t.Errorf("taxonomies: got %+v, want a verdict at level %s first", tax, tc.wantLevel)
			}
			if out.Full.Status != "ok" || out.Operations == nil {
				t.Errorf("got full status %q and operations %v, want ok and []", out.Full.Status, out.Operations)
			}
			if tc.wantArt != "" {
				found := false
				for _, a := range out.Artifacts {
					if a.DataType+":"+a.Data == tc.wantArt {
						found = true
					}
				}
				if !found {
					t.Errorf("artifacts %+v lack %s", out.Artifacts, tc.wantArt)
				}
			}
		})
	}
}

// TestCortexDefinition checks the analyzer definition shipped for Cortex.
func TestCortexDefinition(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "integrations", "cortex", "Automaldesc_Analyze.json"))
	if err != nil {
		t.Fatal(err)
	}
	var def struct {
		Name, Version, Author, URL, License, Command, BaseConfig, Description string
		DataTypeList                                                          []string
		Config                                                                map[string]any
	}
	if err := json.Unmarshal(b, &def); err != nil {
		t.Fatal(err)
	}
	if def.Name == "" || def.Version == "" || def.Author == "" || def.URL == "" || def.License == "" || def.Command == "" || def.BaseConfig == "" || def.Config == nil {
		t.Errorf("definition lacks a required field: %+v", def)
	}
	if len(def.DataTypeList) != 1 || def.DataTypeList[0] != "file" {
		t.Errorf("dataTypeList: got %v, want [file]", def.DataTypeList)
	}
}
