// Package benchmarks measures the exporter at the sizes large customers
// run, against the simulators on loopback: calls per refresh, refresh
// time, memory, series and scrape latency while refreshing. It has only
// benchmarks; `make bench` runs them.
package benchmarks
