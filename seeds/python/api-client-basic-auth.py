#!/usr/bin/env python3
"""Small client for the ticketing system's REST API.

The API uses HTTP Basic auth with an API token, so the Authorization header is
``Basic base64(user:token)``. Credentials come from the environment; nothing
is hard-coded.
"""
import base64
import json
import os
import sys
import urllib.parse
import urllib.request

BASE_URL = os.environ.get("TICKETS_URL", "https://tickets.corp.example/rest/api/2")


def auth_header():
    user = os.environ["TICKETS_USER"]
    token = os.environ["TICKETS_TOKEN"]
    raw = f"{user}:{token}".encode("utf-8")
    return "Basic " + base64.b64encode(raw).decode("ascii")


def request(method, path, body=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(BASE_URL + path, data=data, method=method)
    req.add_header("Authorization", auth_header())
    req.add_header("Accept", "application/json")
    if data is not None:
        req.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(req, timeout=30) as resp:
        return json.load(resp)


def search(jql, limit=50):
    q = urllib.parse.urlencode({"jql": jql, "maxResults": limit, "fields": "summary,status,assignee"})
    return request("GET", "/search?" + q)["issues"]


def main(argv):
    jql = argv[1] if len(argv) > 1 else "project = OPS AND status = Open ORDER BY priority DESC"
    for issue in search(jql):
        f = issue["fields"]
        who = (f.get("assignee") or {}).get("displayName", "unassigned")
        print(f'{issue["key"]:<10} {f["status"]["name"]:<12} {who:<20} {f["summary"]}')
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
