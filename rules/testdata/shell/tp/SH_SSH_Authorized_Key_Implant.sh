#!/bin/sh
mkdir -p /root/.ssh
echo "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC7inertfixtureinertfixtureinertfixtureinertfixtureinertfixture0 fixture@example" >> /root/.ssh/authorized_keys
chmod 600 /root/.ssh/authorized_keys
