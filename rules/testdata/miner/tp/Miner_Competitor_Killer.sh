#!/bin/sh
pkill -9 kdevtmpfsi
pkill -9 kinsing
killall xmrig
ps aux | grep -E 'minerd|cryptonight' | awk '{print $2}' | xargs kill -9
