// Rotates the application log daily and keeps compressed copies for 14 days.
const fs = require('fs');
const path = require('path');
const zlib = require('zlib');
const { pipeline } = require('stream/promises');

const LOG_DIR = process.env.LOG_DIR || '/var/log/orders-api';
const KEEP_DAYS = Number(process.env.KEEP_DAYS || 14);

async function rotate() {
  const current = path.join(LOG_DIR, 'app.log');
  if (!fs.existsSync(current) || fs.statSync(current).size === 0) return;
  const stamp = new Date().toISOString().slice(0, 10);
  const rotated = path.join(LOG_DIR, `app-${stamp}.log`);
  fs.renameSync(current, rotated);
  fs.writeFileSync(current, '');
  await pipeline(fs.createReadStream(rotated), zlib.createGzip(), fs.createWriteStream(rotated + '.gz'));
  fs.unlinkSync(rotated);
}

function prune() {
  const cutoff = Date.now() - KEEP_DAYS * 24 * 3600 * 1000;
  for (const f of fs.readdirSync(LOG_DIR)) {
    if (!/^app-\d{4}-\d{2}-\d{2}\.log\.gz$/.test(f)) continue;
    const p = path.join(LOG_DIR, f);
    if (fs.statSync(p).mtimeMs < cutoff) fs.unlinkSync(p);
  }
}

rotate().then(prune).catch((err) => { console.error('rotate failed:', err); process.exitCode = 1; });
