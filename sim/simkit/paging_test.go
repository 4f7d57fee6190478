package simkit

import "testing"

func TestWindow(t *testing.T) {
	tests := []struct {
		n, offset, size int
		shrink, endless bool
		lo, hi, total   int
	}{
		{10, 0, 4, false, false, 0, 4, 10},
		{10, 8, 4, false, false, 8, 10, 10},
		{10, 12, 4, false, false, 10, 10, 10},
		{10, 3, 0, false, false, 3, 10, 10},
		{9, 0, 4, true, false, 0, 4, 9},
		{9, 4, 4, true, false, 4, 6, 6},
		{10, 8, 4, false, true, 8, 10, 16},
		{10, 12, 4, false, true, 2, 6, 20},
		{10, 0, 4, false, true, 0, 4, 10},
		{0, 4, 4, false, true, 0, 0, 0},
		{10, 4, 0, false, true, 4, 10, 10},
	}
	for _, tt := range tests {
		lo, hi, total := Window(tt.n, tt.offset, tt.size, tt.shrink, tt.endless)
		if lo != tt.lo || hi != tt.hi || total != tt.total {
			t.Errorf("Window(%d, %d, %d, %v, %v) = %d, %d, %d; want %d, %d, %d",
				tt.n, tt.offset, tt.size, tt.shrink, tt.endless, lo, hi, total, tt.lo, tt.hi, tt.total)
		}
	}
}
