(function () {
  var NAME = 'consent_v2';
  function getCookie(n) {
    var m = document.cookie.match(new RegExp('(?:^|; )' + n + '=([^;]*)'));
    return m ? decodeURIComponent(m[1]) : null;
  }
  function setCookie(n, v, days) {
    var d = new Date(Date.now() + days * 864e5).toUTCString();
    document.cookie = n + '=' + encodeURIComponent(v) + '; expires=' + d + '; path=/; SameSite=Lax; Secure';
  }
  function enableAnalytics() {
    var s = document.createElement('script');
    s.async = true;
    s.src = 'https://stats.shop.example/js/analytics.js';
    document.head.appendChild(s);
  }
  var choice = getCookie(NAME);
  if (choice === 'all') { enableAnalytics(); return; }
  if (choice === 'essential') return;
  var banner = document.getElementById('cookie-banner');
  if (!banner) return;
  banner.hidden = false;
  banner.querySelector('[data-accept]').addEventListener('click', function () {
    setCookie(NAME, 'all', 180); banner.hidden = true; enableAnalytics();
  });
  banner.querySelector('[data-reject]').addEventListener('click', function () {
    setCookie(NAME, 'essential', 180); banner.hidden = true;
  });
})();
