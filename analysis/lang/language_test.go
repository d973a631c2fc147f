package lang

import "testing"

func TestParseRoundTrip(t *testing.T) {
	for _, l := range append(All(), Unknown) {
		t.Run(l.String(), func(t *testing.T) {
			b, err := l.MarshalText()
			if err != nil {
				t.Fatal(err)
			}
			var got Language
			if err := got.UnmarshalText(b); err != nil {
				t.Fatal(err)
			}
			if got != l {
				t.Errorf("round trip of %v: got %v", l, got)
			}
		})
	}
	if _, err := Parse("cobol"); err == nil {
		t.Error("Parse(cobol): got nil error, want an error")
	}
}
