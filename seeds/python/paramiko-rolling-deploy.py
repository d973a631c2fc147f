#!/usr/bin/env python3
"""Rolling restart of the worker fleet after a config change.

Connects to each worker with the deploy key from the SSH agent, uploads the
new config, validates it, restarts the service and waits for the health
endpoint before moving to the next host.
"""
import sys
import time
import urllib.request

import paramiko

HOSTS = ["worker01.prod.example", "worker02.prod.example", "worker03.prod.example"]
CONFIG = "config/worker.toml"
REMOTE = "/etc/worker/worker.toml"


def healthy(host, tries=20):
    for _ in range(tries):
        try:
            with urllib.request.urlopen(f"https://{host}:8080/healthz", timeout=3) as r:
                if r.status == 200:
                    return True
        except OSError:
            pass
        time.sleep(3)
    return False


def deploy(host):
    client = paramiko.SSHClient()
    client.load_system_host_keys()
    client.set_missing_host_key_policy(paramiko.RejectPolicy())
    client.connect(host, username="deploy", allow_agent=True, look_for_keys=False, timeout=10)
    try:
        with client.open_sftp() as sftp:
            sftp.put(CONFIG, "/tmp/worker.toml.new")
        cmds = [
            "worker --check-config /tmp/worker.toml.new",
            f"sudo install -m 0644 /tmp/worker.toml.new {REMOTE}",
            "sudo systemctl restart worker",
        ]
        for c in cmds:
            _, out, err = client.exec_command(c)
            if out.channel.recv_exit_status() != 0:
                raise RuntimeError(f"{host}: '{c}' failed: {err.read().decode().strip()}")
    finally:
        client.close()


def main():
    for h in HOSTS:
        print(f"deploying to {h}")
        deploy(h)
        if not healthy(h):
            print(f"{h} did not become healthy; stopping rollout", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
