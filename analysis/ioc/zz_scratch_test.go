package ioc

import (
	"fmt"
	"os"
	"testing"
)

func TestScratch(t *testing.T) {
	b, _ := os.ReadFile("testdata/script.txt")
	for _, c := range Extract(string(b), 0) {
		fmt.Printf("  %-12s %-60s @%d\n", c.Type, c.Value, c.Offset)
	}
}
