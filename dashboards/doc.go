// Package dashboards holds the bundled Grafana dashboards and the checks that keep them importable and their queries valid.
package dashboards
