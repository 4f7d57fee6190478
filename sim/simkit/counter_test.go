package simkit

import (
	"maps"
	"sync"
	"testing"
)

func TestCounter(t *testing.T) {
	tests := []struct {
		name      string
		calls     []string
		wantCalls int
		wantPaths map[string]int
	}{
		{"none", nil, 0, map[string]int{}},
		{"one", []string{"/a"}, 1, map[string]int{"/a": 1}},
		{"several", []string{"/a", "/b/{id}", "/a"}, 3, map[string]int{"/a": 2, "/b/{id}": 1}},
	}
	for _, tt := range tests {
		var c Counter
		for _, p := range tt.calls {
			c.Count(p)
		}
		if got := c.Calls(); got != tt.wantCalls {
			t.Errorf("%s: Calls() = %d; want %d", tt.name, got, tt.wantCalls)
		}
		if got := c.ByPath(); got == nil || !maps.Equal(got, tt.wantPaths) {
			t.Errorf("%s: ByPath() = %v; want %v", tt.name, got, tt.wantPaths)
		}
	}
}

func TestCounterByPathIsACopy(t *testing.T) {
	var c Counter
	c.Count("/a")
	c.ByPath()["/a"] = 99
	if got := c.ByPath()["/a"]; got != 1 {
		t.Errorf("ByPath()[/a] after changing an earlier copy = %d; want 1", got)
	}
}

func TestCounterReset(t *testing.T) {
	var c Counter
	c.Count("/a")
	c.Count("/b")
	c.Reset()
	if got := c.Calls(); got != 0 {
		t.Errorf("Calls() after Reset = %d; want 0", got)
	}
	if got := c.ByPath(); got == nil || len(got) != 0 {
		t.Errorf("ByPath() after Reset = %v; want an empty map", got)
	}
	c.Count("/a")
	if got := c.ByPath(); !maps.Equal(got, map[string]int{"/a": 1}) {
		t.Errorf("ByPath() after Reset and Count(/a) = %v; want map[/a:1]", got)
	}
}

func TestCounterConcurrent(t *testing.T) {
	var c Counter
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 100 {
				c.Count("/a")
				_ = c.ByPath()
			}
		})
	}
	wg.Wait()
	if got := c.Calls(); got != 800 {
		t.Errorf("Calls() after 8×100 concurrent Count = %d; want 800", got)
	}
}
