package verdict

import (
	"fmt"
	"testing"
)

func TestNameIndex(t *testing.T) {
	for _, n := range []int{0, 1, 7, 1000} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			names := make([]string, n)
			for j := range names {
				names[j] = fmt.Sprintf("tok:%04d", j)
			}
			x := newNameIndex(names, nil)
			for j, name := range names {
				if got, ok := x.lookup(name); !ok || got != int32(j) {
					t.Errorf("lookup(%q): got %d, %v; want %d, true", name, got, ok, j)
				}
			}
			for _, absent := range []string{"", "tok:", fmt.Sprintf("tok:%04d", n), "tok:0000 "} {
				if got, ok := x.lookup(absent); ok {
					t.Errorf("lookup(%q): got %d, true; want absent", absent, got)
				}
			}
		})
	}
}
