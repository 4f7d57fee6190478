package config

// DefaultMaxItems is the default of limits.items: more than the largest
// real estate's devices, clients or alarms in one collection.
const DefaultMaxItems = 1_000_000

// maxItemsLimit bounds limits.items itself.
const maxItemsLimit = 1_000_000_000

// Limits bound what one answer of a source may bring, so that a broken or
// hostile upstream cannot put millions of series on a scrape.
type Limits struct {
	// Items is the most items one collection may hold; a refresh that
	// brings more fails and the last good data stays. 0 means
	// DefaultMaxItems.
	Items int `yaml:"items,omitempty"`
}

func (l *Limits) validate(v *validator, at path) {
	if l.Items < 0 || l.Items > maxItemsLimit {
		v.errorf(at.add("items"), "items %d must be between 1 and %d (0 means %d)", l.Items, maxItemsLimit, DefaultMaxItems)
	}
}
