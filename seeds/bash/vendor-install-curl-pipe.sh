#!/bin/sh
# Installs the "toolctl" CLI on build agents using the vendor's documented
# installer (https://docs.tool.example/install). The installer verifies its
# own checksums; we pin the version and install to /usr/local/bin.
set -eu

TOOLCTL_VERSION="${TOOLCTL_VERSION:-2.14.3}"
INSTALL_DIR="${INSTALL_DIR:-/usr/local/bin}"

if command -v toolctl >/dev/null 2>&1; then
    current="$(toolctl version --short 2>/dev/null || echo none)"
    if [ "$current" = "$TOOLCTL_VERSION" ]; then
        echo "toolctl $current already installed"
        exit 0
    fi
fi

echo "Installing toolctl ${TOOLCTL_VERSION} into ${INSTALL_DIR}"
curl -fsSL https://get.tool.example/install.sh | sh -s -- --version "${TOOLCTL_VERSION}" --bin-dir "${INSTALL_DIR}" --no-modify-path

toolctl version
toolctl completion bash > /etc/bash_completion.d/toolctl 2>/dev/null || true
echo "done"
