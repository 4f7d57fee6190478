// Package test checks the Helm chart charts/nms-exporter as Kubernetes and
// the Prometheus Operator read it: every object it renders decodes strictly
// into its API type, the StatefulSet runs one shard per pod, Prometheus reads
// every shard, the rules are those of alerts/ and the dashboards those of
// dashboards/. A module of its own, so the exporter's go.mod stays free of
// the Kubernetes modules; make chart runs it with the helm that tools/helm
// pins.
package test
