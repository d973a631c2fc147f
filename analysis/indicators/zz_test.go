package indicators

import "testing"

func BenchmarkZZCatalog(b *testing.B) {
	for b.Loop() {
		if _, err := newCatalog(registry()); err != nil {
			b.Fatal(err)
		}
	}
}
