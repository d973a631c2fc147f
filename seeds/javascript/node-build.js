#!/usr/bin/env node
// Build script: bundles the front end, copies static assets and writes a manifest.
const { execSync } = require('child_process');
const fs = require('fs');
const path = require('path');
const crypto = require('crypto');

const root = path.resolve(__dirname, '..');
const dist = path.join(root, 'dist');
const mode = process.argv.includes('--prod') ? 'production' : 'development';

fs.rmSync(dist, { recursive: true, force: true });
fs.mkdirSync(dist, { recursive: true });

function run(cmd) {
  console.log(`$ ${cmd}`);
  execSync(cmd, { cwd: root, stdio: 'inherit', env: { ...process.env, NODE_ENV: mode } });
}
run('npx tsc -p tsconfig.json --noEmit');
run(`npx esbuild src/main.ts --bundle --outfile=dist/app.js --sourcemap ${mode === 'production' ? '--minify' : ''}`);
fs.cpSync(path.join(root, 'public'), dist, { recursive: true });

const manifest = {};
for (const f of fs.readdirSync(dist)) {
  const p = path.join(dist, f);
  if (fs.statSync(p).isFile()) {
    manifest[f] = crypto.createHash('sha256').update(fs.readFileSync(p)).digest('hex');
  }
}
fs.writeFileSync(path.join(dist, 'manifest.json'), JSON.stringify(manifest, null, 2));
console.log(`Built ${Object.keys(manifest).length} files (${mode})`);
