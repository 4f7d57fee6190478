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

## Packages and release artefacts. A release is built from the commit tagged v$(VERSION); any
## other commit gives a snapshot named by its revision, so two snapshots never share a version.
.PHONY: package package-test release release-check
RELEASE_TAG  := $(shell git tag --points-at HEAD 2>/dev/null | grep -Fx 'v$(VERSION)')
PKG_VERSION  ?= $(if $(RELEASE_TAG),$(VERSION),$(VERSION)-SNAPSHOT-$(or $(REVISION),unknown))
# The commit's time stamps the binaries' build date, the archives and the packages (nfpm reads
# SOURCE_DATE_EPOCH too), so the same commit gives the same artefacts.
SOURCE_DATE_EPOCH ?= $(or $(shell git log -1 --format=%ct 2>/dev/null),0)
PKG_LDFLAGS   = -s -w -X github.com/prometheus/common/version.Version=$(PKG_VERSION) \
                -X github.com/prometheus/common/version.Revision=$(REVISION) \
                -X github.com/prometheus/common/version.Branch=$(BRANCH) \
                -X github.com/prometheus/common/version.BuildDate=$(shell date -u -d @$(SOURCE_DATE_EPOCH) +%Y%m%d-%H:%M:%S)
MAINTAINER   ?= nms_exporter maintainers <maintainers@nms-exporter.invalid>
GOARCH       ?= amd64
RELEASE_ARCHS ?= amd64 arm64
DIST         ?= dist

## nfpm, at the version tools/nfpm/go.mod pins: a module of its own, so that its dependencies
## never move golangci-lint's.
NFPM := .bin/nfpm
$(NFPM): tools/nfpm/go.mod tools/nfpm/go.sum
	cd tools/nfpm && GOOS= GOARCH= $(GO) build -o ../../$(NFPM) github.com/goreleaser/nfpm/v2/cmd/nfpm

# pkg-binary ARCH: the static linux binary for ARCH in .build/linux-ARCH/.
define pkg-binary
CGO_ENABLED=0 GOOS=linux GOARCH=$(1) $(GO) build -trimpath -ldflags "$(PKG_LDFLAGS)" -o .build/linux-$(1)/$(BINARY) .
endef

# nfpm-packages ARCH: the .deb and .rpm of that binary, into $(DIST)/.
define nfpm-packages
mkdir -p $(DIST)
for packager in deb rpm; do \
	VERSION='$(PKG_VERSION)' GOARCH=$(1) BINARY=.build/linux-$(1)/$(BINARY) MAINTAINER='$(MAINTAINER)' \
		SOURCE_DATE_EPOCH=$(SOURCE_DATE_EPOCH) \
		$(NFPM) package --config packaging/nfpm.yaml --packager $$packager --target $(DIST)/ || exit 1; \
done
endef

## package: the .deb and .rpm for linux/$(GOARCH) (amd64; `make package GOARCH=arm64` for arm64)
## into dist/.
package: $(NFPM)
	$(call pkg-binary,$(GOARCH))
	$(call nfpm-packages,$(GOARCH))

## package-test: builds the amd64 .deb, installs it on this machine with dpkg (needs root or
## sudo), checks what it installed, and removes it; and lists the .rpm's files.
package-test: $(NFPM)
	rm -rf .build/package-test
	$(MAKE) --no-print-directory package GOARCH=amd64 DIST=.build/package-test
	SUDO='$(SUDO)' PKG_VERSION='$(PKG_VERSION)' packaging/package-test.sh .build/package-test

## release: binaries, tar.gz archives, .deb and .rpm for every arch in RELEASE_ARCHS, and
## SHA256SUMS, into dist/ (emptied first).
release: $(NFPM)
	rm -rf $(DIST) && mkdir -p $(DIST)
	@set -e; for arch in $(RELEASE_ARCHS); do \
		echo "linux/$$arch"; \
		$(MAKE) --no-print-directory package GOARCH=$$arch; \
		name=$(BINARY)-$(PKG_VERSION).linux-$$arch; \
		rm -rf .build/$$name && mkdir -p .build/$$name; \
		cp .build/linux-$$arch/$(BINARY) README.md CHANGELOG.md .build/$$name/; \
		cp packaging/nms_exporter.yml .build/$$name/nms_exporter.yml; \
		tar --sort=name --owner=0 --group=0 --numeric-owner --mtime=@$(SOURCE_DATE_EPOCH) \
			-C .build -cf - $$name | gzip -n > $(DIST)/$$name.tar.gz; \
	done
	cd $(DIST) && sha256sum $$(ls | grep -vx SHA256SUMS) > SHA256SUMS
	@cat $(DIST)/SHA256SUMS

## release-check: dist/ holds every artefact of every arch, and SHA256SUMS lists each, matching.
release-check:
	PKG_VERSION='$(PKG_VERSION)' RELEASE_ARCHS='$(RELEASE_ARCHS)' packaging/release-check.sh $(DIST)

## image: the container image nms_exporter:$(PKG_VERSION) (and :latest), its binary and labels
## with the version and revision the release's get; needs a Docker engine.
.PHONY: image
image:
	docker build --build-arg VERSION=$(PKG_VERSION) --build-arg REVISION=$(REVISION) \
		-t $(BINARY):$(PKG_VERSION) -t $(BINARY):latest .
