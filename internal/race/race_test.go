package race

import "testing"

func TestSample(t *testing.T) {
	n := 0
	for i := range 80 {
		if Sample(i) {
			n++
		}
	}
	want := 80
	if Enabled {
		want = 80 / Stride
	}
	if n != want {
		t.Errorf("got %d of 80 items sampled, want %d (race detector on: %v)", n, want, Enabled)
	}
}
