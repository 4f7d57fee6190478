package simkit

import (
	"regexp"
	"slices"
	"strings"
	"testing"
)

func TestSplit(t *testing.T) {
	tests := []struct {
		n     int
		w     []float64
		least int
		want  []int
	}{
		{10, []float64{1, 1}, 0, []int{5, 5}},
		{10, []float64{1, 2, 1}, 0, []int{3, 5, 2}},
		{11, []float64{1, 1}, 0, []int{6, 5}},
		{10, []float64{1, 9}, 3, []int{4, 6}},
		{2, []float64{1, 1, 1}, 1, []int{1, 1, 1}},
		{5, nil, 0, []int{}},
	}
	for _, tt := range tests {
		if got := Split(tt.n, tt.w, tt.least); !slices.Equal(got, tt.want) {
			t.Errorf("Split(%d, %v, %d) = %v; want %v", tt.n, tt.w, tt.least, got, tt.want)
		}
	}
}

func TestPickIndex(t *testing.T) {
	r := NewRand(1, 2)
	counts := make([]int, 3)
	for range 3000 {
		counts[PickIndex(r, []int{1, 0, 2})]++
	}
	if counts[1] != 0 || counts[0] < 800 || counts[0] > 1200 {
		t.Errorf("3,000 draws of weights 1, 0, 2 = %v; want about 1,000, none, 2,000", counts)
	}
	a := PickWeighted(NewRand(5, 6), []string{"a", "bb", "ccc"}, func(s *string) int { return len(*s) })
	if b := PickWeighted(NewRand(5, 6), []string{"a", "bb", "ccc"}, func(s *string) int { return len(*s) }); a != b {
		t.Errorf("PickWeighted from the same seed and stream = %d, then %d; want the same", a, b)
	}
}

func TestRandString(t *testing.T) {
	s := RandString(NewRand(1, 1), "ab", 64)
	if len(s) != 64 || strings.Trim(s, "ab") != "" || !strings.Contains(s, "a") || !strings.Contains(s, "b") {
		t.Errorf("RandString(ab, 64) = %q; want 64 of a and b", s)
	}
}

func TestUUID(t *testing.T) {
	u := string(AppendUUID(nil, NewUUID(NewRand(1, 1))))
	if !regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`).MatchString(u) {
		t.Errorf("UUID = %s; want a version 4 UUID", u)
	}
	if v := string(AppendUUID(nil, NewUUID(NewRand(1, 1)))); v != u {
		t.Errorf("UUIDs from the same seed: %s, %s; want the same", u, v)
	}
}

func TestMix(t *testing.T) {
	if a, b := Mix(7), Mix(7); Mix(1) == Mix(2) || a != b {
		t.Errorf("Mix(1), Mix(2), Mix(7) twice = %x, %x, %x, %x; want a stable hash", Mix(1), Mix(2), a, b)
	}
}
