# One image builds every binary of the platform; compose.yaml (and Kubernetes) picks the binary per service.
#   docker build -t platform .
#   docker run platform identity serve

FROM rust:1-bookworm AS build
WORKDIR /src
# rdkafka builds librdkafka with cmake; etcd-client's build needs protoc.
RUN apt-get update \
 && apt-get install -y --no-install-recommends cmake protobuf-compiler \
 && rm -rf /var/lib/apt/lists/*
COPY . .
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    cargo build --release --locked \
      -p router -p identity -p authz -p audit -p blog -p billing -p platform \
 && mkdir -p /out \
 && cp target/release/router target/release/identity target/release/authz target/release/audit \
       target/release/blog target/release/billing target/release/platform /out/

FROM debian:bookworm-slim AS runtime
# curl answers the health checks; ca-certificates lets services reach TLS endpoints.
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates curl \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home /app platform
COPY --from=build /out/ /usr/local/bin/
COPY schema/ /app/schema/
COPY deploy/ /app/deploy/
WORKDIR /app
USER platform
