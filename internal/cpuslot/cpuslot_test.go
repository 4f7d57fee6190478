package cpuslot

import (
	"context"
	"errors"
	"testing"
)

// TestDoGivesUpWhenContextEnds fills every slot and checks that a caller
// waiting for one returns when its context ends instead of waiting for
// good: a stopping refresh must not outlive its source.
func TestDoGivesUpWhenContextEnds(t *testing.T) {
	release := Hold()
	defer release()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	ran := false
	go func() { done <- Do(ctx, func() { ran = true }) }()
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("Do = %v; want context.Canceled", err)
	}
	if ran {
		t.Error("Do ran f without a slot")
	}
}

func TestDoRunsWhenASlotIsFree(t *testing.T) {
	ran := false
	if err := Do(context.Background(), func() { ran = true }); err != nil || !ran {
		t.Errorf("Do = %v, ran %v; want nil, true", err, ran)
	}
}
