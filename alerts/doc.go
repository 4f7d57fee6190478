// Package alerts holds the bundled Prometheus alert rules and their tests; the rules are plain YAML files beside this file.
package alerts
