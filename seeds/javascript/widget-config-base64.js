// The CMS injects the widget configuration as a Base64 data attribute so that
// editors cannot break the page markup with stray quotes.
(function () {
  var holder = document.querySelector('[data-widget-config]');
  var fallback = 'eyJhcGkiOiJodHRwczovL3dpZGdldHMuc2hvcC5leGFtcGxlL3YxIiwidGhlbWUiOiJsaWdodCIsIml0ZW1zIjo2fQ==';
  var raw = holder ? holder.getAttribute('data-widget-config') : fallback;
  var cfg;
  try {
    cfg = JSON.parse(atob(raw));
  } catch (e) {
    console.warn('widget: bad config, using defaults', e);
    cfg = JSON.parse(atob(fallback));
  }
  fetch(cfg.api + '/recommendations?limit=' + encodeURIComponent(cfg.items), { credentials: 'same-origin' })
    .then(function (r) { return r.ok ? r.json() : []; })
    .then(function (items) {
      var list = document.getElementById('recommendations');
      if (!list) return;
      list.className = 'reco reco--' + cfg.theme;
      items.forEach(function (it) {
        var li = document.createElement('li');
        var a = document.createElement('a');
        a.href = it.url; a.textContent = it.title;
        li.appendChild(a); list.appendChild(li);
      });
    });
})();
