package config

// DefaultMaxItems is the default of limits.items: more than the largest
// real estate's devices, clients or alarms in one collection.
const DefaultMaxItems = 1_000_000

// maxItemsLimit bounds limits.items itself.
const maxItemsLimit = 1_000_000_000

// DefaultMaxSeries is the default of limits.series. The largest source the
// simulators make, CX Cloud's 20,000 devices, renders 158,097 series (the
// four vendors at their largest, 283,307 together); this is twelve times
// that, room for an estate of some 250,000 devices, and already more than
// a Prometheus target is comfortable with.
const DefaultMaxSeries = 2_000_000

// maxSeriesLimit bounds limits.series itself.
const maxSeriesLimit = 1_000_000_000

// Limits bound what one answer of a source may bring, so that a broken or
// hostile upstream cannot put millions of series on a scrape.
type Limits struct {
	// Items is the most items one collection may hold; a refresh that
	// brings more fails and the last good data stays. 0 means
	// DefaultMaxItems.
	Items int `yaml:"items,omitempty"`
	// Series is the most data series one render of the source may make; a
	// render that would make more fails and the last good one is served.
	// 0 means DefaultMaxSeries.
	Series int `yaml:"series,omitempty"`
}

func (l *Limits) validate(v *validator, at path) {
	if l.Items < 0 || l.Items > maxItemsLimit {
		v.errorf(at.add("items"), "items %d must be between 1 and %d (0 means %d)", l.Items, maxItemsLimit, DefaultMaxItems)
	}
	if l.Series < 0 || l.Series > maxSeriesLimit {
		v.errorf(at.add("series"), "series %d must be between 1 and %d (0 means %d)", l.Series, maxSeriesLimit, DefaultMaxSeries)
	}
}
