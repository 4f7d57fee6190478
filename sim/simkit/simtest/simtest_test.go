package simtest

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"
)

func TestClock(t *testing.T) {
	start := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	c := NewClock(start)
	tests := []struct {
		name string
		move func()
		want time.Time
	}{
		{"start", func() {}, start},
		{"Add(1h)", func() { c.Add(time.Hour) }, start.Add(time.Hour)},
		{"Set(start)", func() { c.Set(start) }, start},
	}
	for _, tt := range tests {
		tt.move()
		if got := c.Now(); !got.Equal(tt.want) {
			t.Errorf("Now() after %s = %v; want %v", tt.name, got, tt.want)
		}
	}
}

func TestDo(t *testing.T) {
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Test", "yes")
		w.WriteHeader(http.StatusTeapot)
		_, _ = w.Write([]byte(`{"a":1}`))
	}))
	defer ts.Close()
	req, _ := http.NewRequest("GET", ts.URL, nil)
	st, h, b := Do(t, ts.Client(), req)
	if st != http.StatusTeapot || h.Get("X-Test") != "yes" || string(b) != `{"a":1}` {
		t.Errorf("Do = %d %v %s; want 418, X-Test yes, {\"a\":1}", st, h, b)
	}
	req, _ = http.NewRequest("GET", ts.URL, nil)
	resp, b, err := DoFresh(req, nil)
	if err != nil || resp.StatusCode != http.StatusTeapot || string(b) != `{"a":1}` {
		t.Errorf("DoFresh = %v %s, %v; want 418 {\"a\":1}, no error", resp, b, err)
	}
	var v struct{ A int }
	DecodeOK(t, "GET /", http.StatusOK, b, &v)
	if v.A != 1 {
		t.Errorf("DecodeOK(%s) decoded A = %d; want 1", b, v.A)
	}
}

func TestWalk(t *testing.T) {
	next := map[string]string{"/a": "/b", "/b": "/c", "/c": ""}
	var got []string
	pages := Walk(t, "/a", func(link string) (string, string) {
		got = append(got, link)
		return "page " + link, next[link]
	})
	if want := []string{"page /a", "page /b", "page /c"}; !slices.Equal(pages, want) || len(got) != 3 {
		t.Errorf("Walk = %q after fetching %q; want %q", pages, got, want)
	}
}
