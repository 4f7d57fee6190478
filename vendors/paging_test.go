package vendors

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// pager serves items in pages of limit (the server's page size) and
// records what was fetched.
type pager struct {
	items int // items actually there
	total func(page int) int
	limit int
	// declare sends the page size with each page, as Mist's X-Page-Limit
	// does.
	declare bool

	mu      sync.Mutex
	fetched []int
}

func (p *pager) fetch(_ context.Context, page int) (Page, error) {
	p.mu.Lock()
	p.fetched = append(p.fetched, page)
	p.mu.Unlock()
	n := min(max(p.items-(page-1)*p.limit, 0), p.limit)
	total := p.items
	if p.total != nil {
		total = p.total(page)
	}
	pg := Page{Items: n, Total: total}
	if p.declare {
		pg.Size = p.limit
	}
	return pg, nil
}

func (p *pager) pages() []int {
	p.mu.Lock()
	defer p.mu.Unlock()
	s := slices.Clone(p.fetched)
	slices.Sort(s)
	return s
}

func TestPagingPages(t *testing.T) {
	tests := []struct {
		name     string
		items    int
		total    func(page int) int
		maxPages int
		want     []int
		wantErr  string
	}{
		{name: "empty result", items: 0, want: []int{1}},
		{name: "one partial page", items: 7, want: []int{1}},
		{name: "exact multiple", items: 30, want: []int{1, 2, 3}},
		{name: "last partial page", items: 31, want: []int{1, 2, 3, 4}},
		{name: "zero-item page stops, short of the total", items: 15, total: func(int) int { return 50 }, want: []int{1, 2, 3},
			wantErr: "the pages held 15 items in all, but the server's total is 50 (pages of 10): the list changed or paged unlike it said"},
		{name: "empty first page with a total", items: 0, total: func(int) int { return 20 }, want: []int{1},
			wantErr: "the pages held 0 items in all, but the server's total is 20 (pages of 0): the list changed or paged unlike it said"},
		{name: "more items than the total", items: 12, total: func(int) int { return 11 }, want: []int{1, 2},
			wantErr: "the pages held 12 items in all, but the server's total is 11 (pages of 10): the list changed or paged unlike it said"},
		{name: "maxPages from the first total", items: 1000, maxPages: 5, want: []int{1}, wantErr: "more than 5 pages (1000 items at 10 per page)"},
		{name: "growing total", items: 1000, total: func(page int) int { return (page + 1) * 10 }, maxPages: 4, want: []int{1, 2, 3, 4}, wantErr: "more than 4 pages (50 items at 10 per page)"},
		{name: "growing total within cap", items: 40, total: func(page int) int { return min(page+1, 4) * 10 }, maxPages: 4, want: []int{1, 2, 3, 4}},
		{name: "total that never stops growing", items: 1 << 20, total: func(page int) int { return (page + 1) * 10 }, maxPages: 1000, want: []int{1, 2, 3, 4},
			wantErr: "the total grew from 20 to 50 items during the walk: more than twice the 2 pages first reported"},
		{name: "total that doubles once", items: 60, total: func(page int) int { return min(page+2, 6) * 10 }, want: []int{1, 2, 3, 4, 5, 6}},
		{name: "total that shrinks: the last one counts", items: 25, total: func(page int) int { return map[bool]int{true: 40, false: 25}[page == 1] }, want: []int{1, 2, 3, 4}},
	}
	for _, tt := range tests {
		for _, conc := range []int{1, 3} {
			for _, declare := range []bool{false, true} {
				t.Run(fmt.Sprintf("%s/concurrency %d/size declared %v", tt.name, conc, declare), func(t *testing.T) {
					p := &pager{items: tt.items, total: tt.total, limit: 10, declare: declare}
					err := Paging{Concurrency: conc, MaxPages: tt.maxPages}.Pages(t.Context(), p.fetch)
					want := tt.wantErr
					if declare {
						want = strings.Replace(want, "(pages of 0)", "(pages of 10)", 1)
					}
					if got := fmt.Sprint(err); (want == "" && err != nil) || (want != "" && got != want) {
						t.Errorf("Pages = %v; want %q", err, want)
					}
					got := p.pages()
					// Concurrent walks may have a page in flight past an empty one.
					if conc == 1 || tt.total == nil {
						if !slices.Equal(got, tt.want) {
							t.Errorf("pages fetched = %v; want %v", got, tt.want)
						}
					} else if len(got) > len(tt.want)+conc-1 || (tt.maxPages > 0 && len(got) > tt.maxPages) {
						t.Errorf("pages fetched = %v; want about %v", got, tt.want)
					}
				})
			}
		}
	}
}

// TestPagingFollowsTheServersPageSize: a server that caps the page size
// below what was asked, or picks its own, is walked at its size, and every
// item is fetched.
func TestPagingFollowsTheServersPageSize(t *testing.T) {
	const items = 2000
	for _, serverSize := range []int{1, 7, 100, 500, 1000, 5000} {
		for _, declare := range []bool{false, true} {
			t.Run(fmt.Sprintf("server pages of %d, declared %v", serverSize, declare), func(t *testing.T) {
				p := &pager{items: items, limit: serverSize, declare: declare}
				var got atomic.Int64
				err := Paging{Concurrency: 4}.Pages(t.Context(), func(ctx context.Context, page int) (Page, error) {
					pg, err := p.fetch(ctx, page)
					got.Add(int64(pg.Items))
					return pg, err
				})
				if err != nil {
					t.Fatalf("Pages = %v", err)
				}
				if got.Load() != items {
					t.Errorf("items fetched = %d; want %d", got.Load(), items)
				}
				if want := (items + serverSize - 1) / serverSize; len(p.pages()) != want {
					t.Errorf("pages fetched = %d; want %d", len(p.pages()), want)
				}
			})
		}
	}
}

func TestPagingConcurrencyBound(t *testing.T) {
	const conc = 3
	var inFlight, peak atomic.Int64
	wave := make(chan struct{})
	var once sync.Once
	var pages atomic.Int64
	fetch := func(ctx context.Context, page int) (Page, error) {
		pages.Add(1)
		n := inFlight.Add(1)
		defer inFlight.Add(-1)
		for {
			old := peak.Load()
			if n <= old || peak.CompareAndSwap(old, n) {
				break
			}
		}
		if n == conc {
			once.Do(func() { close(wave) })
		}
		// The first wave waits until all workers are in, so the bound is
		// actually reached rather than trivially met.
		if page >= 2 && page <= 1+conc {
			select {
			case <-wave:
			case <-time.After(5 * time.Second):
				return Page{}, errors.New("workers never ran concurrently")
			}
		}
		return Page{Items: 10, Total: 200}, nil
	}
	if err := (Paging{Concurrency: conc}).Pages(t.Context(), fetch); err != nil {
		t.Fatalf("Pages = %v; want nil", err)
	}
	if got := peak.Load(); got != conc {
		t.Errorf("peak in flight = %d; want %d", got, conc)
	}
	if got := pages.Load(); got != 20 {
		t.Errorf("pages fetched = %d; want 20", got)
	}
}

func TestPagingErrorCancelsRest(t *testing.T) {
	boom := errors.New("boom")
	page2Started := make(chan struct{})
	var mu sync.Mutex
	var fetched []int
	var page2Err error
	fetch := func(ctx context.Context, page int) (Page, error) {
		mu.Lock()
		fetched = append(fetched, page)
		mu.Unlock()
		switch page {
		case 1:
			return Page{Items: 10, Total: 100}, nil
		case 2:
			close(page2Started)
			<-ctx.Done()
			mu.Lock()
			page2Err = ctx.Err()
			mu.Unlock()
			return Page{}, ctx.Err()
		case 3:
			select {
			case <-page2Started:
			case <-time.After(5 * time.Second):
			}
			return Page{}, boom
		}
		return Page{Items: 10, Total: 100}, nil
	}
	err := Paging{Concurrency: 2}.Pages(t.Context(), fetch)
	if !errors.Is(err, boom) || err.Error() != "page 3: boom" {
		t.Errorf("Pages = %v; want page 3: boom", err)
	}
	mu.Lock()
	defer mu.Unlock()
	slices.Sort(fetched)
	if want := []int{1, 2, 3}; !slices.Equal(fetched, want) {
		t.Errorf("pages fetched = %v; want %v", fetched, want)
	}
	if !errors.Is(page2Err, context.Canceled) {
		t.Errorf("page 2 saw %v; want context.Canceled", page2Err)
	}
}

func TestPagingFirstPageError(t *testing.T) {
	err := Paging{}.Pages(t.Context(), func(context.Context, int) (Page, error) {
		return Page{}, &APIError{Method: "GET", Endpoint: "/x", StatusCode: 401}
	})
	if StatusCode(err) != 401 || err.Error() != "page 1: GET /x: HTTP 401 Unauthorized" {
		t.Errorf("Pages = %v; want page 1: GET /x: HTTP 401 Unauthorized", err)
	}
}

func TestPagingWithoutATotal(t *testing.T) {
	calls := 0
	err := Paging{}.Offsets(t.Context(), func(context.Context, int) (Page, error) {
		calls++
		return Page{Items: 50, Total: -1}, nil
	})
	if err != nil || calls != 1 {
		t.Errorf("Offsets without a total = %v after %d calls; want nil after 1: the page is the list", err, calls)
	}
}

// TestOffsets: an offset walk follows the page size the server served,
// below or above what was asked.
func TestOffsets(t *testing.T) {
	tests := []struct {
		name    string
		count   int
		server  int // the server's page size
		failAt  int
		want    []int
		wantErr string
	}{
		{name: "empty", count: 0, server: 100, failAt: -1, want: []int{0}},
		{name: "exact multiple", count: 200, server: 100, failAt: -1, want: []int{0, 100}},
		{name: "partial last", count: 250, server: 100, failAt: -1, want: []int{0, 100, 200}},
		{name: "server caps below the limit", count: 250, server: 60, failAt: -1, want: []int{0, 60, 120, 180, 240}},
		{name: "server gives more than asked", count: 250, server: 200, failAt: -1, want: []int{0, 200}},
		{name: "error names the offset", count: 250, server: 100, failAt: 100, want: []int{0, 100}, wantErr: "offset 100: boom"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var mu sync.Mutex
			var got []int
			err := Paging{}.Offsets(t.Context(), func(_ context.Context, offset int) (Page, error) {
				mu.Lock()
				got = append(got, offset)
				mu.Unlock()
				if offset == tt.failAt {
					return Page{}, errors.New("boom")
				}
				return Page{Items: min(max(tt.count-offset, 0), tt.server), Total: tt.count}, nil
			})
			if (tt.wantErr == "" && err != nil) || (tt.wantErr != "" && fmt.Sprint(err) != tt.wantErr) {
				t.Errorf("Offsets = %v; want %q", err, tt.wantErr)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("offsets fetched = %v; want %v", got, tt.want)
			}
		})
	}
}

func TestWalkCursor(t *testing.T) {
	boom := errors.New("boom")
	tests := []struct {
		name     string
		links    map[string]string // cursor -> next
		failOn   string
		maxPages int
		want     []string
		wantErr  string
	}{
		{name: "single page", links: map[string]string{"": ""}, want: []string{""}},
		{name: "chain", links: map[string]string{"": "a", "a": "b", "b": ""}, want: []string{"", "a", "b"}},
		{name: "loop", links: map[string]string{"": "a", "a": "b", "b": "a"}, want: []string{"", "a", "b"}, wantErr: "cursor loop at page 3"},
		{name: "self loop", links: map[string]string{"": "a", "a": "a"}, want: []string{"", "a"}, wantErr: "cursor loop at page 2"},
		{name: "maxPages", links: map[string]string{"": "a", "a": "b", "b": "c", "c": ""}, maxPages: 2, want: []string{"", "a"}, wantErr: "more than 2 pages"},
		{name: "exactly maxPages", links: map[string]string{"": "a", "a": ""}, maxPages: 2, want: []string{"", "a"}},
		{name: "error", links: map[string]string{"": "a", "a": "b"}, failOn: "a", want: []string{"", "a"}, wantErr: "page 2: boom"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			err := WalkCursor(t.Context(), tt.maxPages, func(_ context.Context, cursor string) (string, error) {
				got = append(got, cursor)
				if tt.failOn != "" && cursor == tt.failOn {
					return "", boom
				}
				return tt.links[cursor], nil
			})
			if (tt.wantErr == "" && err != nil) || (tt.wantErr != "" && fmt.Sprint(err) != tt.wantErr) {
				t.Errorf("WalkCursor = %v; want %q", err, tt.wantErr)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("cursors fetched = %q; want %q", got, tt.want)
			}
		})
	}
}

func TestHeaderInt(t *testing.T) {
	tests := []struct {
		value  string
		want   int
		wantOK bool
	}{
		{"42", 42, true},
		{" 7 ", 7, true},
		{"", 0, false},
		{"x", 0, false},
		{"1.5", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.value, func(t *testing.T) {
			h := http.Header{}
			if tt.value != "" {
				h.Set("X-Page-Total", tt.value)
			}
			got, ok := HeaderInt(h, "X-Page-Total")
			if got != tt.want || ok != tt.wantOK {
				t.Errorf("HeaderInt(%q) = %d, %v; want %d, %v", tt.value, got, ok, tt.want, tt.wantOK)
			}
		})
	}
}
