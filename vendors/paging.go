package vendors

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
)

// WalkPages walks a page+limit API (1-based pages, total in a header or
// body). It fetches page 1 to learn the total, then pages 2..ceil(total/limit)
// with at most concurrency in flight (<=1 is sequential), so the call count
// is the page-count minimum. It stops early at a page with zero items, and
// never fetches more than maxPages (<=0 means no cap), even when later pages
// report a growing total. A total that grows past twice the pages the first
// page promised is an error: data changing during a walk does not grow that
// fast, paging that never ends does.
func WalkPages(ctx context.Context, limit, concurrency, maxPages int, fetch func(ctx context.Context, page int) (n, total int, err error)) error {
	return walkIndexed(ctx, limit, concurrency, maxPages,
		func(i int) string { return fmt.Sprintf("page %d", i+1) },
		func(ctx context.Context, i int) (int, int, error) { return fetch(ctx, i+1) })
}

// WalkOffsets walks a limit/offset API: fetch(0) learns the count, then
// offsets limit, 2*limit, ... below count are fetched as WalkPages does.
func WalkOffsets(ctx context.Context, limit, concurrency, maxPages int, fetch func(ctx context.Context, offset int) (n, count int, err error)) error {
	return walkIndexed(ctx, limit, concurrency, maxPages,
		func(i int) string { return fmt.Sprintf("offset %d", i*limit) },
		func(ctx context.Context, i int) (int, int, error) { return fetch(ctx, i*limit) })
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

// walkIndexed fetches index 0, then 1..ceil(total/limit)-1 with a bounded
// number of workers. label names an index in errors.
func walkIndexed(ctx context.Context, limit, concurrency, maxPages int, label func(int) string, fetch func(context.Context, int) (int, int, error)) error {
	if limit <= 0 {
		return fmt.Errorf("page size %d is not positive", limit)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	n, total, err := fetch(ctx, 0)
	if err != nil {
		return fmt.Errorf("%s: %w", label(0), err)
	}
	if n == 0 {
		return nil
	}
	w := &walk{limit: limit, maxPages: maxPages, next: 1, last: 1, label: label, cancel: cancel}
	if err := w.extend(total); err != nil {
		return err
	}
	w.firstTotal, w.firstPages = total, w.last
	if w.last <= 1 {
		return nil
	}
	var wg sync.WaitGroup
	for range min(max(concurrency, 1), w.last-1) {
		wg.Go(func() { w.run(ctx, fetch) })
	}
	wg.Wait()
	return w.err
}

// walk is the shared state of one walkIndexed's workers.
type walk struct {
	limit, maxPages int
	label           func(int) string
	cancel          context.CancelFunc

	// firstTotal and firstPages are what the first page promised.
	firstTotal, firstPages int

	mu   sync.Mutex
	next int   // next index to hand out
	last int   // indexes [0, last) exist as far as we know
	done bool  // no more indexes are handed out
	err  error // first error
}

// extend raises the page count to cover total. w.mu must be held once
// workers run.
func (w *walk) extend(total int) error {
	pages := (total + w.limit - 1) / w.limit
	if pages <= w.last {
		return nil
	}
	if w.maxPages > 0 && pages > w.maxPages {
		return fmt.Errorf("more than %d pages (%d items at %d per page)", w.maxPages, total, w.limit)
	}
	if w.firstPages > 0 && pages > 2*w.firstPages {
		return fmt.Errorf("the total grew from %d to %d items during the walk: more than twice the %d pages first reported", w.firstTotal, total, w.firstPages)
	}
	w.last = pages
	return nil
}

// run fetches indexes until none are left or the walk is done.
func (w *walk) run(ctx context.Context, fetch func(context.Context, int) (int, int, error)) {
	for {
		w.mu.Lock()
		if w.done || w.next >= w.last {
			w.mu.Unlock()
			return
		}
		i := w.next
		w.next++
		w.mu.Unlock()

		var n, total int
		err := ctx.Err()
		if err == nil {
			n, total, err = fetch(ctx, i)
		}

		w.mu.Lock()
		switch {
		case err != nil:
			w.fail(fmt.Errorf("%s: %w", w.label(i), err))
		case n == 0:
			// Fewer items than the total promised; pages in flight may still
			// hold some, so they are not cancelled.
			w.done = true
		default:
			if err := w.extend(total); err != nil {
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
