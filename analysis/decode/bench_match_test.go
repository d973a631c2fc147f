package decode

import (
	"testing"

	"github.com/automaldesc/automaldesc/internal/corpus"
)

// BenchmarkHandMatchersDev runs the hand matchers of this round over every
// dev sample, each against the regexp it replaces.
func BenchmarkHandMatchersDev(b *testing.B) {
	var scans []*scan
	corpus.Sweep(b, corpus.Dev, func(_, text string) {
		s := newScan(text, 0, 1<<20)
		s.lowered()
		scans = append(scans, s)
	})
	for _, bc := range []struct {
		name string
		f    func(*scan) [][]int
	}{
		{"vbsExecute", func(s *scan) [][]int { return findVBSExecutes(s.text) }},
		{"vbsExecute-regexp", func(s *scan) [][]int { return reVBSExecute().FindAllStringIndex(s.text, -1) }},
		{"vbsChr", func(s *scan) [][]int { return findVBSChrs(s.text) }},
		{"vbsChr-regexp", func(s *scan) [][]int { return reVBSChr().FindAllStringSubmatchIndex(s.text, -1) }},
		{"vbsReplace", func(s *scan) [][]int { return findCallFold(s, "replace", reVBSReplace) }},
		{"vbsReplace-regexp", func(s *scan) [][]int { return reVBSReplace().FindAllStringIndex(s.text, -1) }},
		{"b64Decoder", func(s *scan) [][]int { return findB64Decoders(s.text) }},
		{"b64Decoder-regexp", func(s *scan) [][]int { return reB64Decoder().FindAllStringIndex(s.text, -1) }},
		{"encodedCommand", func(s *scan) [][]int { return findEncodedCommands(s.text) }},
		{"encodedCommand-regexp", func(s *scan) [][]int { return reEncodedCommand.FindAllStringSubmatchIndex(s.text, -1) }},
		{"join", func(s *scan) [][]int { return append(findStringJoins(s), findJoinOps(s)...) }},
		{"join-regexp", func(s *scan) [][]int { return append(reStringJoin.findAllIndex(s), reJoinOp.findAllIndex(s)...) }},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				for _, s := range scans {
					bc.f(s)
				}
			}
		})
	}
}
