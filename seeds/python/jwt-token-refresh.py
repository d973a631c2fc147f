#!/usr/bin/env python3
"""Keeps the CLI's OAuth access token fresh.

Reads the cached token from the OS keyring, decodes the JWT payload (base64url,
no signature check - the server validates it) to look at ``exp``, and uses the
refresh token against the identity provider when less than five minutes remain.
"""
import base64
import json
import time
import urllib.parse
import urllib.request

import keyring

SERVICE = "corpcli"
TOKEN_URL = "https://login.corp.example/oauth2/token"
CLIENT_ID = "corpcli-public"


def jwt_claims(token):
    payload = token.split(".")[1]
    payload += "=" * (-len(payload) % 4)
    return json.loads(base64.urlsafe_b64decode(payload))


def refresh(refresh_token):
    body = urllib.parse.urlencode({"grant_type": "refresh_token", "refresh_token": refresh_token,
                                   "client_id": CLIENT_ID}).encode()
    with urllib.request.urlopen(urllib.request.Request(TOKEN_URL, data=body), timeout=15) as r:
        return json.load(r)


def access_token():
    tok = keyring.get_password(SERVICE, "access_token")
    if tok and jwt_claims(tok).get("exp", 0) - time.time() > 300:
        return tok
    resp = refresh(keyring.get_password(SERVICE, "refresh_token"))
    keyring.set_password(SERVICE, "access_token", resp["access_token"])
    if "refresh_token" in resp:
        keyring.set_password(SERVICE, "refresh_token", resp["refresh_token"])
    return resp["access_token"]


if __name__ == "__main__":
    claims = jwt_claims(access_token())
    print(f"token valid for {claims['sub']} until {time.ctime(claims['exp'])}")
