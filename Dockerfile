# syntax=docker/dockerfile:1
# coinflux: one image, one binary; the role is the subcommand (collect, process, run, simulate).
#   docker build -t coinflux:local .      (compose.yml does this for you)
#   docker run --rm coinflux:local --help
#
# Both stages are Debian bookworm, so the image links the same librdkafka (2.0.2) that the
# tests on the development machines use.

# ── Build ───────────────────────────────────────────────────────────────────────────────────
FROM swift:6.3-bookworm AS build
# librdkafka-dev: headers and rdkafka.pc for the CRdKafka system-library target (pkg-config
# is already in the image); zlib1g-dev: compress-nio links libz.
RUN export DEBIAN_FRONTEND=noninteractive \
 && apt-get -q update \
 && apt-get -q install -y --no-install-recommends librdkafka-dev zlib1g-dev \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /build
# Resolve dependencies in their own layer: it is reused while only sources change.
# (Package.resolved is copied when present; it is not committed.)
COPY ./Package.* ./
RUN swift package resolve

# Only what `swift build` reads (Package.swift declares the test targets too): never `COPY . .`,
# which would bring a local .env or secrets into the build stage (.dockerignore excludes them too).
COPY Sources ./Sources
COPY Tests ./Tests
# The Swift runtime is linked statically; librdkafka stays a shared library from Debian.
RUN swift build -c release --product coinflux --static-swift-stdlib \
 && mkdir /staging \
 && cp "$(swift build -c release --show-bin-path)/coinflux" /staging/ \
 && cp /usr/libexec/swift/linux/swift-backtrace-static /staging/

# ── Runtime ─────────────────────────────────────────────────────────────────────────────────
FROM debian:bookworm-slim
# librdkafka1: Kafka client (brings libssl3, zlib, lz4, zstd); ca-certificates: TLS to the
# exchanges; tzdata: time zones; curl: the compose healthchecks (GET /healthz).
RUN export DEBIAN_FRONTEND=noninteractive \
 && apt-get -q update \
 && apt-get -q install -y --no-install-recommends librdkafka1 ca-certificates tzdata curl \
 && rm -rf /var/lib/apt/lists/*

# A fixed, numeric uid/gid (10001): the secret files the stack hands the processor are owned by
# it (influxdb/scripts/tokens.sh), and Kubernetes' runAsNonRoot can verify a numeric USER.
RUN groupadd --system --gid 10001 coinflux \
 && useradd --system --uid 10001 --gid 10001 --create-home --skel /dev/null --home-dir /app coinflux
WORKDIR /app
COPY --from=build --chown=coinflux:coinflux /staging /app

# Readable crash reports (symbolicated backtraces) without an interactive debugger.
ENV SWIFT_BACKTRACE=enable=yes,sanitize=yes,threads=all,images=all,interactive=no,swift-backtrace=./swift-backtrace-static
# Two glibc malloc arenas instead of eight per core: librdkafka's, NIO's and Swift's threads
# otherwise each keep freed memory in an arena of their own (processor RSS, README Performance).
ENV MALLOC_ARENA_MAX=2

USER 10001:10001
# /metrics, /healthz, /readyz (telemetry.listen, default 0.0.0.0:9464); the simulator uses 8790.
EXPOSE 9464
ENTRYPOINT ["./coinflux"]
CMD ["--help"]
