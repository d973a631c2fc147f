//go:build ignore

// gen writes model.bin, the compact binary form of model.json that the
// package embeds: go generate ./analysis/verdict/builtin after training.
package main

import (
	"log"
	"os"

	"github.com/automaldesc/automaldesc/analysis/verdict"
)

func main() {
	f, err := os.Open("model.json")
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	m, err := verdict.Load(f)
	if err != nil {
		log.Fatal(err)
	}
	b, err := m.MarshalBinary()
	if err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile("model.bin", b, 0o644); err != nil {
		log.Fatal(err)
	}
}
