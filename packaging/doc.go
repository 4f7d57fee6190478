// Package packaging holds what installs nms_exporter beside its binary: the nfpm description of
// the .deb and .rpm, the systemd unit, its config and defaults files and install scripts, and the
// Prometheus, Alertmanager and Grafana files compose.yaml mounts. Its tests check these files, the
// Dockerfile and compose.yaml against each other and against the README; it has no code.
package packaging
