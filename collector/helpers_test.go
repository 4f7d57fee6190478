package collector

import (
	"context"
	"errors"
	"sync"
)

// refreshAll refreshes every collection of src at once, as its refreshers
// do when it starts.
func refreshAll(src *Source) error {
	var wg sync.WaitGroup
	errs := make([]error, len(src.Collections))
	for i, c := range src.Collections {
		wg.Go(func() { errs[i] = src.Refresh(context.Background(), c.Name) })
	}
	wg.Wait()
	return errors.Join(errs...)
}
