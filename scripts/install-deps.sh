#!/usr/bin/env bash
# Installs the system packages automaldesc needs, idempotently.
#   scripts/install-deps.sh build   what `make build` / `make run` need
#   scripts/install-deps.sh test    what `make test` needs (a superset)
# As root it installs what is missing with apt-get; otherwise it prints the
# one command to run and fails. The Dockerfile runs this same script.
set -euo pipefail

want=${1:-build}
pkgs=(gcc pkg-config libyara-dev)
case "$want" in
  build) ;;
  test|bench) pkgs+=(yara protobuf-compiler chromium clamav clamav-daemon clamdscan postgresql) ;;
  *) echo "usage: $0 build|test|bench" >&2; exit 2 ;;
esac

missing=()
for p in "${pkgs[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if ! command -v go >/dev/null 2>&1; then
  echo "automaldesc needs Go 1.26 or newer on PATH (https://go.dev/doc/install)." >&2
  exit 1
fi

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "missing system packages: ${missing[*]} (install the equivalents for your system)" >&2
  exit 1
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "missing system packages: ${missing[*]}" >&2
  echo "run:  sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi

echo "installing: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
# clamav-daemon's postinst starts the service, which fails in containers (no
# init, no signature database yet) and would fail the install: while we
# install, a policy-rc.d that denies service starts (exit 101, as Docker's
# Debian images ship) stands in unless the system already has one.
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
  chmod 755 /usr/sbin/policy-rc.d
  trap 'rm -f /usr/sbin/policy-rc.d' EXIT
fi
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
