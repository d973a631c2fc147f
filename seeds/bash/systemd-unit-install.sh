#!/bin/sh
# Post-install script of the metrics-exporter .deb package.
# Creates the service account, installs the systemd unit and starts it.
set -e

USER=metrics-exporter
BIN=/usr/lib/metrics-exporter/metrics-exporter
UNIT=/etc/systemd/system/metrics-exporter.service

if ! getent passwd "$USER" >/dev/null; then
    useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$USER"
fi
install -d -o "$USER" -g "$USER" -m 0750 /var/lib/metrics-exporter

cat > "$UNIT" <<UNIT
[Unit]
Description=Prometheus metrics exporter
Documentation=https://docs.metrics.example/exporter
After=network-online.target
Wants=network-online.target

[Service]
User=$USER
Group=$USER
ExecStart=$BIN --web.listen-address=:9105 --collector.textfile.directory=/var/lib/metrics-exporter
Restart=on-failure
NoNewPrivileges=true
ProtectSystem=strict
ProtectHome=true
ReadWritePaths=/var/lib/metrics-exporter

[Install]
WantedBy=multi-user.target
UNIT

systemctl daemon-reload
systemctl enable --now metrics-exporter.service
systemctl --no-pager status metrics-exporter.service || true
