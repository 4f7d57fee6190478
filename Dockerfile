# Build a static binary, then ship it alone on an empty base.
#   docker build --build-arg VERSION=$(cat VERSION) --build-arg REVISION=$(git rev-parse --short HEAD) -t nms_exporter .
# (`make image` does the same.) VERSION's default is the VERSION file's, as a test checks.
ARG VERSION=0.1.0
ARG REVISION=unknown

FROM golang:1.26-bookworm AS build
ARG VERSION
ARG REVISION
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
# The version flags are the Makefile's LDFLAGS.
RUN CGO_ENABLED=0 go build -trimpath \
      -ldflags "-s -w -X github.com/prometheus/common/version.Version=${VERSION} -X github.com/prometheus/common/version.Revision=${REVISION}" \
      -o /out/nms_exporter .
# scratch has no folders: /tmp for --demo's generated config, and the state volume's mount point,
# which a new named volume copies, owner and all.
RUN mkdir -p /out/tmp /out/state && chmod 1777 /out/tmp && chmod 0700 /out/state

FROM scratch
ARG VERSION
ARG REVISION
LABEL org.opencontainers.image.title="nms_exporter" \
      org.opencontainers.image.description="Prometheus exporter for network management systems: Juniper Mist, Cisco Prime Infrastructure, Cisco CX Cloud and Nautobot" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.source="https://github.com/nmsexporter/nms_exporter" \
      org.opencontainers.image.url="https://github.com/nmsexporter/nms_exporter" \
      org.opencontainers.image.documentation="https://github.com/nmsexporter/nms_exporter/blob/main/README.md" \
      org.opencontainers.image.licenses="NOASSERTION"
COPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY --from=build /out/nms_exporter /bin/nms_exporter
COPY --from=build /out/tmp /tmp
COPY --from=build --chown=65534:65534 /out/state /var/lib/nms_exporter
# nobody: the exporter needs no privilege.
USER 65534:65534
EXPOSE 9877
# Each collection's last good data and the calls counted against each budget: kept across
# restarts, apart from the config, which may be mounted read-only.
VOLUME /var/lib/nms_exporter
ENTRYPOINT ["/bin/nms_exporter"]
CMD ["--config.file=/etc/nms_exporter/nms_exporter.yml", "--storage.path=/var/lib/nms_exporter"]
