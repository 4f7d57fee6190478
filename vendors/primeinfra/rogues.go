package primeinfra

import (
	"cmp"
	"context"
	"net/url"
	"slices"
	"strings"
)

// unknownClass is the classification of a rogue alarm that names none.
const unknownClass = "unknown"

type rogueEntity = dto[rogueAlarm]

// Rogues counts the active rogue AP alarms by site, classification and
// severity.
func (c *Client) Rogues(ctx context.Context) (*Rogues, error) {
	t := newRogueTally()
	if _, err := walk(ctx, c, "RogueApAlarms", url.Values{"severity": {`ne("CLEARED")`}}, t.add); err != nil {
		return nil, err
	}
	return t.result(), nil
}

type rogueTally struct {
	seen   map[int64]bool
	counts map[RogueCount]int
}

func newRogueTally() *rogueTally {
	return &rogueTally{seen: map[int64]bool{}, counts: map[RogueCount]int{}}
}

func (t *rogueTally) add(page []rogueEntity) {
	for _, e := range page {
		a := &e.DTO
		if strings.EqualFold(a.Severity, "CLEARED") {
			continue
		}
		// Pages over changing data can repeat an alarm.
		if id := cmp.Or(a.AlarmID, a.ID.n); id != 0 {
			if t.seen[id] {
				continue
			}
			t.seen[id] = true
		}
		d := &a.Details
		k := RogueCount{
			Site:           SiteOf(cmp.Or(d.Location, d.MapLocation)),
			Classification: strings.ToLower(string(cmp.Or(d.ClassificationType, d.Classification))),
			Severity:       Severity(a.Severity),
		}
		if k.Classification == "" {
			k.Classification = unknownClass
		}
		if k.Site == "" {
			// The source is the rogue, never a place: only the detecting AP
			// tells where it was heard.
			k.AP = alarmDevice(a.DeviceName, "")
		}
		t.counts[k]++
	}
}

func (t *rogueTally) result() *Rogues {
	out := &Rogues{Counts: make([]RogueCount, 0, len(t.counts))}
	for k, n := range t.counts {
		k.Count = n
		out.Counts = append(out.Counts, k)
		out.Total += n
	}
	slices.SortFunc(out.Counts, func(a, b RogueCount) int {
		return cmp.Or(cmp.Compare(a.Site, b.Site), cmp.Compare(a.AP, b.AP),
			cmp.Compare(a.Classification, b.Classification), cmp.Compare(a.Severity, b.Severity))
	})
	return out
}
