#!/bin/sh
# Baseline host firewall for web servers (CIS 3.5.1).
set -e
ufw --force reset
ufw default deny incoming
ufw default allow outgoing
ufw allow from 198.51.100.0/24 to any port 22 proto tcp comment 'ssh from bastion subnet'
ufw allow 80/tcp comment 'http'
ufw allow 443/tcp comment 'https'
ufw allow from 203.0.113.40 to any port 9100 proto tcp comment 'node exporter scrape'
ufw limit 22/tcp
ufw logging low
ufw --force enable
ufw status verbose
