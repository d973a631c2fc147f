#!/usr/bin/env python3
"""Encrypt nightly backup archives before they are shipped off-site.

Each archive in the staging folder is encrypted with AES-256-GCM under a
per-file data key; the data key is wrapped by the KMS and stored next to the
ciphertext. Originals stay in place (the local retention job removes them),
so this never touches anything outside the staging folder.
"""
import json
import os
import sys
from pathlib import Path

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

STAGING = Path("/var/backups/staging")
OUTBOX = Path("/var/backups/offsite-outbox")
CHUNK = 64 << 20


def wrap_key(data_key):
    """Wrap the data key with the KMS (stubbed to the local KMS agent socket)."""
    import kms_agent  # internal package, talks to the local agent over a unix socket
    return kms_agent.encrypt(key_id="alias/offsite-backups", plaintext=data_key)


def encrypt_file(src, dst_dir):
    data_key = AESGCM.generate_key(bit_length=256)
    aes = AESGCM(data_key)
    dst = dst_dir / (src.name + ".enc")
    meta = {"source": src.name, "chunks": []}
    with src.open("rb") as fin, dst.open("wb") as fout:
        index = 0
        while block := fin.read(CHUNK):
            nonce = os.urandom(12)
            ct = aes.encrypt(nonce, block, f"{src.name}:{index}".encode())
            fout.write(nonce + ct)
            meta["chunks"].append(len(ct))
            index += 1
    meta["wrapped_key"] = wrap_key(data_key).hex()
    (dst_dir / (src.name + ".meta.json")).write_text(json.dumps(meta))
    return dst


def main():
    OUTBOX.mkdir(parents=True, exist_ok=True)
    done = 0
    for archive in sorted(STAGING.glob("*.tar.zst")):
        if (OUTBOX / (archive.name + ".enc")).exists():
            continue
        encrypt_file(archive, OUTBOX)
        done += 1
    print(f"encrypted {done} archive(s) into {OUTBOX}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
