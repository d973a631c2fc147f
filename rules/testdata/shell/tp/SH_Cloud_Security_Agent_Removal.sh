#!/bin/sh
curl -s http://update.aegis.example/uninstall.sh | bash
pkill -9 AliYunDun
rm -rf /usr/local/aegis
killall YDService
rm -rf /usr/local/qcloud
