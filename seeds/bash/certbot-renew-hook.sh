#!/bin/bash
# Daily certificate renewal for the edge proxies (systemd timer certbot-renew.timer).
# Renews via the webroot plugin, then validates and reloads nginx and copies the
# bundle to the HAProxy format.
set -euo pipefail

DOMAINS_DIR=/etc/letsencrypt/live
HAPROXY_CERTS=/etc/haproxy/certs

certbot renew --quiet --webroot -w /var/www/acme --deploy-hook "touch /run/certs-renewed"

if [[ -f /run/certs-renewed ]]; then
    for d in "$DOMAINS_DIR"/*/; do
        name=$(basename "$d")
        cat "$d/fullchain.pem" "$d/privkey.pem" > "$HAPROXY_CERTS/$name.pem.new"
        chmod 600 "$HAPROXY_CERTS/$name.pem.new"
        mv "$HAPROXY_CERTS/$name.pem.new" "$HAPROXY_CERTS/$name.pem"
    done
    nginx -t && systemctl reload nginx
    haproxy -c -f /etc/haproxy/haproxy.cfg && systemctl reload haproxy
    rm -f /run/certs-renewed
    logger -t certbot-renew "certificates renewed and proxies reloaded"
fi

for crt in "$DOMAINS_DIR"/*/cert.pem; do
    end=$(openssl x509 -enddate -noout -in "$crt" | cut -d= -f2)
    echo "$(dirname "$crt" | xargs basename): expires $end"
done
