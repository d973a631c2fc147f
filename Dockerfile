# syntax=docker/dockerfile:1
# automaldesc container image. docs/DEPLOYMENT.md explains how to run it
# (single host, read-only root file system, scale-out with NATS and
# PostgreSQL). Build:  docker build --build-arg VERSION=$(git describe --tags --always) -t automaldesc .

ARG GO_VERSION=1.26

# --- build: the same install script and make target as a developer's
# machine and CI, so what CI tests is what the image runs.
FROM golang:${GO_VERSION}-bookworm AS build
WORKDIR /src
COPY scripts/install-deps.sh scripts/install-deps.sh
RUN scripts/install-deps.sh build && rm -rf /var/lib/apt/lists/*
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
RUN make build VERSION=${VERSION} && bin/automaldesc version

# --- runtime: the binary and the shared library of libyara-dev 4.2.3
# (Debian bookworm's libyara9), nothing else: no shell tools, no curl.
FROM debian:bookworm-slim AS runtime
RUN apt-get update \
 && apt-get install -y --no-install-recommends libyara9 ca-certificates \
 && rm -rf /var/lib/apt/lists/*
RUN groupadd --system --gid 10001 automaldesc \
 && useradd --system --uid 10001 --gid 10001 --home-dir /var/lib/automaldesc --no-create-home \
      --shell /usr/sbin/nologin automaldesc \
 && install -d -o 10001 -g 10001 -m 0750 /var/lib/automaldesc \
      /var/lib/automaldesc/quarantine /var/lib/automaldesc/staging
COPY --from=build /src/bin/automaldesc /usr/local/bin/automaldesc

# Every write goes below /var/lib/automaldesc (store, staging, alerts,
# hint spool), so the root file system can be mounted read-only.
# Configuration comes from AUTOMALDESC_* variables (or a file named by
# AUTOMALDESC_CONFIG). The API listens on all interfaces inside the
# container and therefore requires a bearer token: set API_TOKEN.
ENV AUTOMALDESC_STORE_PATH=/var/lib/automaldesc/automaldesc.db \
    AUTOMALDESC_WATCH_FOLDERS=/var/lib/automaldesc/quarantine \
    AUTOMALDESC_WATCH_STAGING=/var/lib/automaldesc/staging \
    AUTOMALDESC_SINKS_NDJSON_PATH=/var/lib/automaldesc/alerts.ndjson \
    AUTOMALDESC_API_LISTEN=0.0.0.0:8089 \
    AUTOMALDESC_API_TOKEN_ENV=API_TOKEN \
    AUTOMALDESC_LOG_FORMAT=json
VOLUME ["/var/lib/automaldesc"]
WORKDIR /var/lib/automaldesc
USER 10001:10001
EXPOSE 8089
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["/usr/local/bin/automaldesc", "health"]
ENTRYPOINT ["/usr/local/bin/automaldesc"]
CMD ["watch"]
