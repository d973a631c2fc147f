#!/usr/bin/env python3
"""Nightly maintenance for the kiosk app's SQLite database.

Prunes session rows older than 90 days, checks integrity, and VACUUMs when
more than 20% of pages are free. Run from cron as the app user:
    40 4 * * * /usr/local/bin/sqlite-maintenance-cron.py /var/lib/kiosk/kiosk.db
"""
import logging
import sqlite3
import sys
import time

RETENTION_DAYS = 90
logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")


def main(path):
    con = sqlite3.connect(path, timeout=30)
    try:
        cutoff = int(time.time()) - RETENTION_DAYS * 86400
        with con:
            n = con.execute("DELETE FROM sessions WHERE last_seen < ?", (cutoff,)).rowcount
            m = con.execute("DELETE FROM audit_log WHERE ts < ?", (cutoff,)).rowcount
        logging.info("pruned %d sessions, %d audit rows", n, m)

        result = con.execute("PRAGMA integrity_check").fetchone()[0]
        if result != "ok":
            logging.error("integrity check failed: %s", result)
            return 2

        pages = con.execute("PRAGMA page_count").fetchone()[0]
        free = con.execute("PRAGMA freelist_count").fetchone()[0]
        if pages and free / pages > 0.2:
            logging.info("vacuuming (%d of %d pages free)", free, pages)
            con.execute("VACUUM")
        con.execute("PRAGMA optimize")
    finally:
        con.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
