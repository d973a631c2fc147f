import socket, subprocess
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.connect(('metrics.example', 2003))
s.sendall(b'host.cpu 0.5 1700000000\n')
s.close()
subprocess.call(['uptime'])
