const KEY = 'theme-preference';
const media = window.matchMedia('(prefers-color-scheme: dark)');

function preferred() {
  return localStorage.getItem(KEY) || (media.matches ? 'dark' : 'light');
}
function apply(theme) {
  document.documentElement.dataset.theme = theme;
  const btn = document.querySelector('#theme-toggle');
  if (btn) btn.setAttribute('aria-label', theme === 'dark' ? 'Switch to light theme' : 'Switch to dark theme');
}
apply(preferred());
window.addEventListener('DOMContentLoaded', () => {
  document.querySelector('#theme-toggle')?.addEventListener('click', () => {
    const next = preferred() === 'dark' ? 'light' : 'dark';
    localStorage.setItem(KEY, next);
    apply(next);
  });
});
media.addEventListener('change', () => { if (!localStorage.getItem(KEY)) apply(preferred()); });
