#!/usr/bin/env python3
"""Release builder for the ``edgeproxy`` binaries.

Cross-compiles the Go binaries for each target platform with subprocess,
packages them into tarballs/zips, and writes a SHA256SUMS file.
"""
import hashlib
import os
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

TARGETS = [("linux", "amd64"), ("linux", "arm64"), ("darwin", "arm64"), ("windows", "amd64")]
DIST = Path("dist")


def run(cmd, **kw):
    print("+", " ".join(cmd), flush=True)
    return subprocess.run(cmd, check=True, **kw)


def version():
    return subprocess.run(["git", "describe", "--tags", "--always", "--dirty"],
                          check=True, capture_output=True, text=True).stdout.strip()


def build(goos, goarch, ver):
    ext = ".exe" if goos == "windows" else ""
    out = DIST / f"edgeproxy-{ver}-{goos}-{goarch}" / f"edgeproxy{ext}"
    env = dict(os.environ, GOOS=goos, GOARCH=goarch, CGO_ENABLED="0")
    run(["go", "build", "-trimpath", "-ldflags", f"-s -w -X main.version={ver}", "-o", str(out), "./cmd/edgeproxy"], env=env)
    shutil.copy("LICENSE", out.parent)
    return out.parent


def package(folder, goos):
    if goos == "windows":
        archive = folder.with_suffix(".zip")
        with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
            for p in folder.iterdir():
                z.write(p, f"{folder.name}/{p.name}")
    else:
        archive = Path(str(folder) + ".tar.gz")
        with tarfile.open(archive, "w:gz") as t:
            t.add(folder, arcname=folder.name)
    return archive


def main():
    ver = version()
    shutil.rmtree(DIST, ignore_errors=True)
    DIST.mkdir()
    run(["go", "test", "./..."])
    archives = [package(build(o, a, ver), o) for o, a in TARGETS]
    with open(DIST / "SHA256SUMS", "w") as f:
        for a in archives:
            f.write(f"{hashlib.sha256(a.read_bytes()).hexdigest()}  {a.name}\n")
    print(f"built {len(archives)} archives for {ver}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
