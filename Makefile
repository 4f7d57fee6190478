GO      ?= go
BINARY  ?= nms_exporter
VERSION := $(shell cat VERSION)
REVISION := $(shell git rev-parse --short HEAD 2>/dev/null)
BRANCH  := $(shell git rev-parse --abbrev-ref HEAD 2>/dev/null)
LDFLAGS := -X github.com/prometheus/common/version.Version=$(VERSION) \
           -X github.com/prometheus/common/version.Revision=$(REVISION) \
           -X github.com/prometheus/common/version.Branch=$(BRANCH)
# apt-get needs root; elsewhere sudo is used when present.
SUDO    := $(shell [ "$$(id -u)" = 0 ] || command -v sudo)

.PHONY: all deps test lint fuzz soak fmt-check vet build bench vulncheck demo clean chart chart-files

all: fmt-check vet test build

## deps: install what the tests run besides Go, from Debian's packages: Prometheus, promtool,
## Alertmanager and amtool, Chromium for the status page, and npm for the dashboards' type check.
deps:
	@missing=""; \
	for t in prometheus:prometheus promtool:prometheus prometheus-alertmanager:prometheus-alertmanager amtool:prometheus-alertmanager chromium:chromium npm:npm; do \
		command -v $${t%%:*} >/dev/null 2>&1 || missing="$$missing $${t#*:}"; \
	done; \
	if [ -n "$$missing" ]; then \
		echo "installing from Debian:$$missing"; \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi
	@promtool --version 2>&1 | head -1
	@prometheus-alertmanager --version 2>&1 | head -1

## test: format check, vet and every test with the race detector.
test: deps fmt-check vet
	$(GO) test -race -count=1 -timeout 25m ./...

## lint: golangci-lint, at the version tools/go.mod pins, with .golangci.yml.
GOLANGCI_LINT := .bin/golangci-lint
$(GOLANGCI_LINT): tools/go.mod tools/go.sum
	cd tools && $(GO) build -o ../$(GOLANGCI_LINT) github.com/golangci/golangci-lint/v2/cmd/golangci-lint

lint: $(GOLANGCI_LINT)
	$(GOLANGCI_LINT) run ./...

## chart: the Helm chart charts/nms-exporter: helm lint and helm template with the default values
## and each example of its ci/ folder, then the chart's tests (a module of their own): every object
## decoded strictly into its Kubernetes or Prometheus Operator type, one shard per pod, every
## shard's /sd scraped, the rules and dashboards those of alerts/ and dashboards/, the rendered
## config accepted by check-config. Helm is the version tools/helm/go.mod pins.
CHART        := charts/nms-exporter
HELM         := .bin/helm
HELM_VERSION  = $(shell awk '$$1 == "helm.sh/helm/v4" {print $$2}' tools/helm/go.mod)
$(HELM): tools/helm/go.mod tools/helm/go.sum
	cd tools/helm && CGO_ENABLED=0 $(GO) build -trimpath \
		-ldflags "-X helm.sh/helm/v4/internal/version.version=$(HELM_VERSION)" \
		-o ../../$(HELM) helm.sh/helm/v4/cmd/helm

chart: $(HELM) build
	$(HELM) lint --strict $(CHART)
	$(HELM) template nms-exporter $(CHART) >/dev/null
	@for f in $(CHART)/ci/*.yaml; do \
		echo "$(HELM) lint --strict $(CHART) --values $$f"; \
		$(HELM) lint --strict $(CHART) --values $$f || exit 1; \
		echo "$(HELM) template nms-exporter $(CHART) --values $$f"; \
		$(HELM) template nms-exporter $(CHART) --values $$f >/dev/null || exit 1; \
	done
	cd $(CHART)/test && HELM=$(CURDIR)/$(HELM) NMS_EXPORTER=$(CURDIR)/$(BINARY) $(GO) test -count=1 ./...

## chart-files: copy the rule files of alerts/ (not their tests) and dashboards/ into the chart,
## whose templates can read only files inside it; make chart fails while the copies are stale.
chart-files:
	rm -f $(CHART)/files/alerts/*.yml $(CHART)/files/dashboards/*.json
	for f in alerts/*.yml; do case $$f in *_test.yml) ;; *) cp $$f $(CHART)/files/alerts/ ;; esac; done
	cp dashboards/*.json $(CHART)/files/dashboards/

## fuzz: each fuzz target for a bounded number of inputs (FUZZTIME), on top of its seed corpus.
## A count, not a duration: a duration races Go's fuzz coordinator at its deadline on a loaded
## machine and fails with "context deadline exceeded" though no input failed (go.dev/issue/75804).
FUZZTIME ?= 30000x
fuzz:
	$(GO) test -run '^$$' -fuzz '^FuzzParse$$' -fuzztime $(FUZZTIME) ./config/
	$(GO) test -run '^$$' -fuzz '^FuzzParseDetail$$' -fuzztime $(FUZZTIME) ./vendors/
	$(GO) test -run '^$$' -fuzz '^FuzzGetJSON$$' -fuzztime $(FUZZTIME) ./vendors/
	$(GO) test -run '^$$' -fuzz '^FuzzWebhook$$' -fuzztime $(FUZZTIME) ./vendors/mist/
	$(GO) test -run '^$$' -fuzz '^FuzzStreamFrame$$' -fuzztime $(FUZZTIME) ./vendors/mist/
	$(GO) test -run '^$$' -fuzz '^FuzzWebhookHandler$$' -fuzztime $(FUZZTIME) ./bridge/
	$(GO) test -run '^$$' -fuzz '^FuzzEnvelope$$' -fuzztime $(FUZZTIME) ./vendors/primeinfra/
	$(GO) test -run '^$$' -fuzz '^FuzzEncoders$$' -fuzztime $(FUZZTIME) ./exposition/

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt would change: $$out"; exit 1; fi

vet:
	$(GO) vet ./...

build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags "$(LDFLAGS)" -o $(BINARY) .

## bench: the exporter against the simulators at large size, each vendor alone and all four at
## once (each vendor's first-refresh calls against its page-count minimum, failing when above it;
## calls, refresh time and its ratio to the upstream time, series, scrape p50/p99, peak RSS),
## 1, 10 and 50 scrapers at once, 1,000 refresh cycles at medium size (heap, goroutines, RSS), each
## vendor's client alone, the data encoder against expfmt, a render of all four, and the REST
## device calls of a Mist source with and without its stream.
## Compare two runs with benchstat (see BENCHMARKS.md).
bench:
	$(GO) test -run '^$$' -bench . -benchtime 1x -timeout 60m ./benchmarks/
	$(GO) test -run '^$$' -bench . -benchtime 3x -benchmem ./vendors/mist/ ./vendors/primeinfra/ ./vendors/cxcloud/ ./vendors/nautobot/
	$(GO) test -run '^$$' -bench 'BenchmarkEncoders|BenchmarkRender' -benchmem ./collector/
	$(GO) test -run '^$$' -bench BenchmarkStreamDeviceCalls -benchtime 1x ./vendors/mist/mistsource/

## soak: all four simulators at medium size with faults switching on and off, every source
## scraped each second, for SOAK_DURATION (10m); prints goroutines, heap, RSS and open files.
soak:
	SOAK_DURATION=$${SOAK_DURATION:-10m} $(GO) test -tags soak -run '^TestSoak$$' -timeout 30m -count=1 -v ./benchmarks/

## vulncheck: known vulnerabilities in the code's dependencies and the Go release it is built with;
## needs vuln.go.dev, so it is not part of test.
vulncheck:
	$(GO) run golang.org/x/vuln/cmd/govulncheck@v1.9.0 ./...

## demo: the exporter on simulated vendors, at http://localhost:9877/
demo:
	$(GO) run . --demo

clean:
	rm -f $(BINARY)
