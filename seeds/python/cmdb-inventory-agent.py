#!/usr/bin/env python3
"""CMDB inventory agent (cross-platform).

Collects host facts with the standard library and PUTs them to the CMDB API
with the agent token from the local config. Scheduled daily by the config
management system.
"""
import json
import os
import platform
import socket
import urllib.request
import uuid

CMDB = "https://cmdb.corp.example/api/v2/hosts/"
TOKEN_PATH = os.environ.get("CMDB_TOKEN_FILE", "/etc/cmdb/agent.token")


def facts():
    return {
        "hostname": socket.getfqdn(),
        "os": platform.system(),
        "os_release": platform.release(),
        "os_version": platform.version(),
        "arch": platform.machine(),
        "python": platform.python_version(),
        "cpu_count": os.cpu_count(),
        "mac": ":".join(f"{(uuid.getnode() >> s) & 0xff:02x}" for s in range(40, -1, -8)),
        "agent_version": "1.8.2",
    }


def main():
    data = facts()
    with open(TOKEN_PATH) as f:
        token = f.read().strip()
    req = urllib.request.Request(CMDB + data["hostname"], method="PUT",
                                 data=json.dumps(data).encode(),
                                 headers={"Authorization": f"Bearer {token}",
                                          "Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=20) as r:
        print(f"CMDB updated: HTTP {r.status}")


if __name__ == "__main__":
    main()
