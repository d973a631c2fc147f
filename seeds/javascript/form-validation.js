/* Contact form validation - marketing site */
document.addEventListener('DOMContentLoaded', function () {
  var form = document.getElementById('contact-form');
  if (!form) return;
  var rules = {
    name: function (v) { return v.trim().length >= 2 || 'Please enter your name.'; },
    email: function (v) { return /^[^\s@]+@[^\s@]+\.[^\s@]{2,}$/.test(v) || 'Please enter a valid email address.'; },
    phone: function (v) { return v === '' || /^[+0-9 ()-]{6,20}$/.test(v) || 'Phone number looks wrong.'; },
    message: function (v) { return v.trim().length >= 10 || 'Message must be at least 10 characters.'; }
  };
  function showError(input, msg) {
    var el = input.parentNode.querySelector('.error');
    if (!el) { el = document.createElement('span'); el.className = 'error'; input.parentNode.appendChild(el); }
    el.textContent = msg || '';
    input.setAttribute('aria-invalid', msg ? 'true' : 'false');
  }
  form.addEventListener('submit', function (e) {
    var ok = true;
    Object.keys(rules).forEach(function (name) {
      var input = form.elements[name];
      if (!input) return;
      var res = rules[name](input.value);
      showError(input, res === true ? '' : res);
      if (res !== true) ok = false;
    });
    if (!ok) { e.preventDefault(); form.querySelector('[aria-invalid="true"]').focus(); }
  });
});
