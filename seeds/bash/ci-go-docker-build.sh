#!/usr/bin/env bash
# CI pipeline step: lint, test, build and push the container image.
set -euo pipefail

: "${CI_COMMIT_SHA:?must be set by the CI runner}"
IMAGE="registry.example/platform/ingest"
TAG="${CI_COMMIT_SHA:0:12}"

echo "--- go vet / test"
go vet ./...
go test -race -count=1 -coverprofile=coverage.out ./...
go tool cover -func=coverage.out | tail -n 1

echo "--- build"
CGO_ENABLED=0 GOOS=linux GOARCH=amd64 go build -trimpath -ldflags "-s -w -X main.version=${TAG}" -o bin/ingest ./cmd/ingest

echo "--- image"
docker build --pull -t "${IMAGE}:${TAG}" -f build/Dockerfile .
echo "${REGISTRY_PASSWORD}" | docker login registry.example -u "${REGISTRY_USER}" --password-stdin
docker push "${IMAGE}:${TAG}"
if [[ "${CI_COMMIT_BRANCH:-}" == "main" ]]; then
    docker tag "${IMAGE}:${TAG}" "${IMAGE}:latest"
    docker push "${IMAGE}:latest"
fi
docker logout registry.example
