#!/bin/bash
# Check that the service ports answer.
for p in 22 443; do
  if timeout 2 bash -c "echo > /dev/tcp/127.0.0.1/$p"; then echo "port $p open"; fi
done
nc -z -w 2 db.example 5432 && echo db ok
