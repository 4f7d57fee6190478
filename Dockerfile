# Build a static binary, then ship it alone on an empty base.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath \
      -ldflags "-s -w -X github.com/prometheus/common/version.Version=$(cat VERSION)" \
      -o /out/nms_exporter .

FROM scratch
COPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY --from=build /out/nms_exporter /bin/nms_exporter
# nobody: the exporter needs no privilege.
USER 65534:65534
EXPOSE 9877
ENTRYPOINT ["/bin/nms_exporter"]
CMD ["--config.file=/etc/nms_exporter/nms_exporter.yml"]
