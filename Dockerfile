# Parley's container image: one static binary with the widget and dashboard embedded, on a
# distroless base (CA certificates, /etc/passwd with the nonroot user, no shell).
# The build steps are the commands `make build` runs; `make image` passes VERSION.
#
#   docker build --build-arg VERSION=$(git describe --tags --always) -t parley .

ARG NODE_IMAGE=node:20-bookworm-slim
ARG GO_IMAGE=golang:1.26-bookworm
ARG RUNTIME_IMAGE=gcr.io/distroless/static-debian12:nonroot

# The frontend, with dependencies exactly as package-lock.json pins them.
FROM ${NODE_IMAGE} AS frontend
WORKDIR /src/frontend
COPY frontend/package.json frontend/package-lock.json ./
COPY frontend/widget/package.json widget/
COPY frontend/dashboard/package.json dashboard/
RUN npm ci --no-audit --no-fund
COPY frontend/ ./
RUN npm run build

# The binary, static (no cgo) so it runs without a C library.
FROM ${GO_IMAGE} AS build
ARG VERSION=dev
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
COPY --from=frontend /src/frontend/dist/ frontend/dist/
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/parley ./cmd/parley \
 && mkdir -p /out/data

FROM ${RUNTIME_IMAGE}
COPY --from=build /out/parley /usr/local/bin/parley
COPY --from=build --chown=65532:65532 /out/data /var/lib/parley
# The distroless nonroot user, by number so Kubernetes' runAsNonRoot can verify it.
USER 65532:65532
ENV PARLEY_ADDR=:8080 \
    PARLEY_ENV=production \
    PARLEY_DATA_DIR=/var/lib/parley
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
  CMD ["/usr/local/bin/parley", "health"]
ENTRYPOINT ["/usr/local/bin/parley"]
CMD ["serve"]
