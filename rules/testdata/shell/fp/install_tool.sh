#!/bin/sh
# Installs the CLI into /usr/local/bin after checking its checksum.
set -eu
VERSION=1.4.2
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
curl -fsSL -o "$TMP/tool.tar.gz" "https://downloads.example/tool-$VERSION.tar.gz"
echo "0123abcd  $TMP/tool.tar.gz" | sha256sum -c -
tar -xzf "$TMP/tool.tar.gz" -C "$TMP"
chmod +x "$TMP/tool"
sudo install -m 0755 "$TMP/tool" /usr/local/bin/tool
sudo systemctl daemon-reload
logrotate -f /etc/logrotate.conf
iptables -L -n
echo "installed tool $VERSION"
