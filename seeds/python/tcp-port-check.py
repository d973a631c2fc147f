#!/usr/bin/env python3
"""Pre-change connectivity check.

Verifies that the application servers can reach their dependencies (DB,
cache, broker, LDAP) before a maintenance window starts. Exit status is the
number of unreachable endpoints.
"""
import socket
import sys
import time

CHECKS = [
    ("postgres", "db01.corp.example", 5432),
    ("redis", "cache01.corp.example", 6379),
    ("rabbitmq", "mq01.corp.example", 5671),
    ("ldap", "ldap.corp.example", 636),
    ("smtp relay", "smtp.corp.example", 587),
]


def check(host, port, timeout=3.0):
    start = time.monotonic()
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True, (time.monotonic() - start) * 1000
    except OSError as exc:
        return False, str(exc)


def main():
    failed = 0
    for name, host, port in CHECKS:
        ok, info = check(host, port)
        if ok:
            print(f"[ OK ] {name:<11} {host}:{port}  {info:.1f} ms")
        else:
            failed += 1
            print(f"[FAIL] {name:<11} {host}:{port}  {info}")
    return failed


if __name__ == "__main__":
    sys.exit(main())
