# syntax=docker/dockerfile:1

# Build stage: static binaries, so the runtime image needs no libc.
FROM golang:1.26 AS build
WORKDIR /src

# Modules first, so editing code does not re-download them.
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod go mod download

COPY . .
RUN --mount=type=cache,target=/go/pkg/mod \
    --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/ ./cmd/staffsync ./cmd/staffsyncctl
# The SFTP drop's host key directory, owned by the runtime user: a new volume mounted there
# takes this ownership, so the server can create its key on first start.
RUN mkdir -p /out/state/sftp && chmod 700 /out/state/sftp

# Runtime stage: distroless has CA certificates (HRIS and HTTPS sources) and time zone data,
# no shell, and a non-root user.
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/staffsync /out/staffsyncctl /usr/local/bin/
COPY --from=build --chown=65532:65532 /out/state /var/lib/staffsync
USER nonroot:nonroot
# 8080: Connect/gRPC/gRPC-Web API and web console; 2022: hosted SFTP drop.
EXPOSE 8080 2022
ENTRYPOINT ["/usr/local/bin/staffsync"]
CMD ["serve"]
