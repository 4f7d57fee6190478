package vendors

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
)

// Page is what one fetched page of a list says. The server decides the
// page size: it may cap what the client asked for (Nautobot's
// MAX_PAGE_SIZE, Mist's limit, Prime's .maxResults) or pick it alone (CX
// Cloud), so a walk follows what the pages say, never the size it asked.
type Page struct {
	// Items is the number of items on the page.
	Items int
	// Total is the number of items in the whole list, as the page says;
	// negative when the page does not say, which makes it the only page.
	Total int
	// Size is the page size the server says it used (Mist's X-Page-Limit,
	// CX Cloud's max header); 0 when it does not say, and the first page's
	// length is the page size.
	Size int
}

// Paging is how a walk fetches its pages.
type Paging struct {
	// Concurrency is the most pages in flight at once; <= 1 is one at a
	// time.
	Concurrency int
	// MaxPages stops a walk needing more pages; <= 0 means no cap.
	MaxPages int
}

// Pages walks a list paged by 1-based page numbers, such as Mist's: page 1
// gives the total and the page size (its Size, else its length), then
// pages 2..ceil(total/size) are fetched with at most Concurrency in flight,
// so the calls are the page-count minimum at the server's page size. A
// page with no items ends the walk early, and no more than MaxPages are
// fetched, even when later pages report a growing total; a total that
// grows past twice the pages the first page promised is an error, since
// data changing during a walk does not grow that fast and paging that
// never ends does. A walk whose pages hold more or fewer items than the
// last total reported fails with both numbers.
func (p Paging) Pages(ctx context.Context, fetch func(ctx context.Context, page int) (Page, error)) error {
	return p.walk(ctx,
		func(i, _ int) string { return fmt.Sprintf("page %d", i+1) },
		func(ctx context.Context, i, _ int) (Page, error) { return fetch(ctx, i+1) })
}

// Offsets walks a list paged by 0-based item offsets, as Pages does:
// fetch(0) gives the total and the page size, then offsets size, 2*size,
// ... below the total are fetched.
func (p Paging) Offsets(ctx context.Context, fetch func(ctx context.Context, offset int) (Page, error)) error {
	return p.walk(ctx,
		func(i, size int) string { return fmt.Sprintf("offset %d", i*size) },
		func(ctx context.Context, i, size int) (Page, error) { return fetch(ctx, i*size) })
}

// WalkCursor follows next-link cursors: fetch("") first, then each returned
// next until "". A cursor seen twice is an error (a loop), as is needing more
// than maxPages pages (<=0 means no cap).
func WalkCursor(ctx context.Context, maxPages int, fetch func(ctx context.Context, cursor string) (next string, err error)) error {
	seen := make(map[string]bool)
	cursor := ""
	for page := 1; ; page++ {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("page %d: %w", page, err)
		}
		next, err := fetch(ctx, cursor)
		if err != nil {
			return fmt.Errorf("page %d: %w", page, err)
		}
		if next == "" {
			return nil
		}
		if seen[next] {
			return fmt.Errorf("cursor loop at page %d", page)
		}
		if maxPages > 0 && page >= maxPages {
			return fmt.Errorf("more than %d pages", maxPages)
		}
		seen[next] = true
		cursor = next
	}
}

// HeaderInt parses an integer header, such as a paging total.
func HeaderInt(h http.Header, name string) (int, bool) {
	v, err := strconv.Atoi(strings.TrimSpace(h.Get(name)))
	if err != nil {
		return 0, false
	}
	return v, true
}

// walk fetches index 0, learns the page size and total from it, then
// fetches indexes 1..ceil(total/size)-1 with a bounded number of workers.
// fetch and label get the index and the page size.
func (p Paging) walk(ctx context.Context, label func(i, size int) string, fetch func(ctx context.Context, i, size int) (Page, error)) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	first, err := fetch(ctx, 0, 0)
	if err != nil {
		return fmt.Errorf("%s: %w", label(0, 0), err)
	}
	if first.Total < 0 {
		return nil // no total: this page is the list
	}
	size := first.Size
	if size <= 0 {
		size = first.Items
	}
	w := &walk{size: size, maxPages: p.MaxPages, next: 1, last: 1, label: label, cancel: cancel,
		items: first.Items, total: first.Total}
	if first.Items > 0 && first.Items < first.Total {
		if err := w.extend(first.Total); err != nil {
			return err
		}
	}
	w.firstTotal, w.firstPages = first.Total, w.last
	if w.last > 1 {
		var wg sync.WaitGroup
		for range min(max(p.Concurrency, 1), w.last-1) {
			wg.Go(func() { w.run(ctx, fetch) })
		}
		wg.Wait()
	}
	if w.err != nil {
		return w.err
	}
	if w.items != w.total {
		return fmt.Errorf("the pages held %d items in all, but the server's total is %d (pages of %d): the list changed or paged unlike it said",
			w.items, w.total, size)
	}
	return nil
}

// walk is the shared state of one walk's workers.
type walk struct {
	size, maxPages int
	label          func(i, size int) string
	cancel         context.CancelFunc

	// firstTotal and firstPages are what the first page promised.
	firstTotal, firstPages int

	mu      sync.Mutex
	next    int   // next index to hand out
	last    int   // indexes [0, last) exist as far as we know
	done    bool  // no more indexes are handed out
	err     error // first error
	items   int   // items the pages held
	total   int   // the total the furthest page reported
	totalAt int   // the index of that page
}

// extend raises the page count to cover total. w.mu must be held once
// workers run.
func (w *walk) extend(total int) error {
	pages := (total + w.size - 1) / w.size
	if pages <= w.last {
		return nil
	}
	if w.maxPages > 0 && pages > w.maxPages {
		return fmt.Errorf("more than %d pages (%d items at %d per page)", w.maxPages, total, w.size)
	}
	if w.firstPages > 0 && pages > 2*w.firstPages {
		return fmt.Errorf("the total grew from %d to %d items during the walk: more than twice the %d pages first reported", w.firstTotal, total, w.firstPages)
	}
	w.last = pages
	return nil
}

// run fetches indexes until none are left or the walk is done.
func (w *walk) run(ctx context.Context, fetch func(context.Context, int, int) (Page, error)) {
	for {
		w.mu.Lock()
		if w.done || w.next >= w.last {
			w.mu.Unlock()
			return
		}
		i := w.next
		w.next++
		w.mu.Unlock()

		var pg Page
		err := ctx.Err()
		if err == nil {
			pg, err = fetch(ctx, i, w.size)
		}

		w.mu.Lock()
		if err == nil {
			w.items += pg.Items
			if pg.Total >= 0 && i > w.totalAt {
				w.total, w.totalAt = pg.Total, i
			}
		}
		switch {
		case err != nil:
			w.fail(fmt.Errorf("%s: %w", w.label(i, w.size), err))
		case pg.Items == 0:
			// The list ended before the total promised; pages in flight may
			// still hold some, so they are not cancelled.
			w.done = true
		case pg.Total >= 0:
			if err := w.extend(pg.Total); err != nil {
				w.fail(err)
			}
		}
		w.mu.Unlock()
	}
}

// fail records the first error and cancels the fetches in flight, whose
// resulting context errors are then ignored. w.mu must be held.
func (w *walk) fail(err error) {
	if w.err == nil {
		w.err = err
		w.cancel()
	}
	w.done = true
}
