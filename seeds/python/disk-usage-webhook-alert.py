#!/usr/bin/env python3
"""Disk usage alerting for lab servers.

Checks every mounted filesystem and posts a message to the team chat's
incoming webhook when usage crosses the threshold. The webhook URL is read
from /etc/lab-alerts/webhook.url (root-only).
"""
import json
import shutil
import socket
import urllib.request

THRESHOLD = 0.85
WEBHOOK_FILE = "/etc/lab-alerts/webhook.url"
SKIP_FS = {"tmpfs", "devtmpfs", "overlay", "squashfs", "proc", "sysfs", "cgroup2"}


def mounts():
    with open("/proc/mounts") as f:
        for line in f:
            dev, mnt, fstype, *_ = line.split()
            if fstype not in SKIP_FS:
                yield mnt


def main():
    full = []
    for mnt in mounts():
        try:
            u = shutil.disk_usage(mnt)
        except OSError:
            continue
        ratio = u.used / u.total if u.total else 0
        if ratio >= THRESHOLD:
            full.append(f"`{mnt}` {ratio:.0%} used ({u.free >> 30} GiB free)")
    if not full:
        return
    with open(WEBHOOK_FILE) as f:
        url = f.read().strip()
    text = f":warning: *{socket.gethostname()}* disk usage high:\n" + "\n".join(full)
    req = urllib.request.Request(url, data=json.dumps({"text": text}).encode(),
                                 headers={"Content-Type": "application/json"})
    urllib.request.urlopen(req, timeout=10).read()


if __name__ == "__main__":
    main()
