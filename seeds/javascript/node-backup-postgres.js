// Nightly PostgreSQL dump with retention, run from cron on the db host.
const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const DB = process.env.PGDATABASE || 'inventory';
const DIR = process.env.BACKUP_DIR || '/srv/backups/postgres';
const KEEP = 7;

fs.mkdirSync(DIR, { recursive: true });
const file = path.join(DIR, `${DB}-${new Date().toISOString().replace(/[:.]/g, '-')}.dump`);
const r = spawnSync('pg_dump', ['--format=custom', '--no-owner', '--file', file, DB], { stdio: 'inherit' });
if (r.status !== 0) {
  console.error(`pg_dump exited with ${r.status}`);
  process.exit(r.status || 1);
}
const dumps = fs.readdirSync(DIR).filter((f) => f.startsWith(DB + '-') && f.endsWith('.dump')).sort();
for (const old of dumps.slice(0, Math.max(0, dumps.length - KEEP))) {
  fs.unlinkSync(path.join(DIR, old));
  console.log(`removed ${old}`);
}
spawnSync('rsync', ['-a', '--delete', DIR + '/', 'backup@vault.corp.example:/backups/postgres/'], { stdio: 'inherit' });
