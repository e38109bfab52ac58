package archive

import "testing"

// The set of names' hashes finds what was added, through growth and
// through runs of hashes that share their low bits.
func TestHashSet(t *testing.T) {
	tests := []struct {
		name string
		hash func(i uint64) uint64
		odd  bool // whether the hashes of odd numbers are found (equal to added ones)
	}{
		{"spread", func(i uint64) uint64 { return i * 0x9e3779b97f4a7c15 }, false},
		{"same-low-bits", func(i uint64) uint64 { return i << 40 }, false}, // all in one run of slots
		{"zero-and-one", func(i uint64) uint64 { return i % 2 }, true},     // 0 is kept as 1: the two are one
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var s hashSet
			const n = 5000
			for i := range uint64(n) {
				if i%2 == 0 {
					s.add(tc.hash(i))
				}
			}
			for i := range uint64(n) {
				want := i%2 == 0 || tc.odd
				if got := s.has(tc.hash(i)); got != want {
					t.Fatalf("has(hash(%d)) = %v, want %v", i, got, want)
				}
			}
			if s.n*4 > len(s.slots)*3 {
				t.Errorf("%d in %d slots", s.n, len(s.slots))
			}
		})
	}
}
