// Creates accounts in the identity provider from the HR export (CSV).
const fs = require('fs');
const readline = require('readline');

const API = 'https://idp.corp.example/api/v2';
const TOKEN = process.env.IDP_TOKEN;
if (!TOKEN) { console.error('IDP_TOKEN not set'); process.exit(2); }

async function createUser(u) {
  const res = await fetch(`${API}/users`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({
      profile: { firstName: u.first, lastName: u.last, email: u.email, login: u.email, department: u.dept },
      groupIds: u.groups ? u.groups.split('|') : []
    })
  });
  if (res.status === 409) return 'exists';
  if (!res.ok) throw new Error(`${u.email}: HTTP ${res.status}`);
  return 'created';
}

(async () => {
  const rl = readline.createInterface({ input: fs.createReadStream(process.argv[2] || 'new-hires.csv') });
  let header;
  for await (const line of rl) {
    const cols = line.split(',');
    if (!header) { header = cols; continue; }
    const u = Object.fromEntries(header.map((h, i) => [h.trim(), (cols[i] || '').trim()]));
    try { console.log(u.email, await createUser(u)); } catch (e) { console.error(e.message); process.exitCode = 1; }
  }
})();
