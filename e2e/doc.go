// Package e2e tests the whole exporter, built as a binary or wired as
// main wires it, on the vendor simulators: the golden scrape, the fault
// matrix, the real Prometheus, promtool, Alertmanager and Chromium, and the
// command line. It has only tests.
package e2e
