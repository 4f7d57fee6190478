package vendors

import (
	"context"
	"sync"
)

// wakeup lets goroutines wait for a change of state that a mutex guards:
// wait, with the mutex held, returns a channel that the next wake, also
// with it held, closes.
type wakeup struct{ ch chan struct{} }

func (w *wakeup) wait() <-chan struct{} {
	if w.ch == nil {
		w.ch = make(chan struct{})
	}
	return w.ch
}

func (w *wakeup) wake() {
	if w.ch != nil {
		close(w.ch)
		w.ch = nil
	}
}

// unlockAndWait unlocks mu, the mutex guarding the state, and waits for the
// next wake or for ctx to end.
func (w *wakeup) unlockAndWait(ctx context.Context, mu *sync.Mutex) error {
	ch := w.wait()
	mu.Unlock()
	select {
	case <-ch:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
