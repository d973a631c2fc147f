// Small fetch wrapper with timeout and exponential backoff used by the dashboard.
export async function fetchJSON(url, { retries = 3, timeout = 8000, ...opts } = {}) {
  let delay = 500;
  for (let attempt = 0; ; attempt++) {
    const ctrl = new AbortController();
    const timer = setTimeout(() => ctrl.abort(), timeout);
    try {
      const res = await fetch(url, { ...opts, signal: ctrl.signal, headers: { Accept: 'application/json', ...(opts.headers || {}) } });
      if (res.status >= 500 && attempt < retries) throw new Error(`HTTP ${res.status}`);
      if (!res.ok) throw Object.assign(new Error(`HTTP ${res.status}`), { fatal: true });
      return await res.json();
    } catch (err) {
      if (err.fatal || attempt >= retries) throw err;
      await new Promise((r) => setTimeout(r, delay + Math.random() * 200));
      delay *= 2;
    } finally {
      clearTimeout(timer);
    }
  }
}

export const api = {
  orders: (page = 1) => fetchJSON(`/api/orders?page=${page}`),
  order: (id) => fetchJSON(`/api/orders/${encodeURIComponent(id)}`),
};
