// automaldesc triage UI. Loaded as a same-origin file (the CSP allows no
// inline script). It only enhances: every feature works without it except
// the copy buttons.
"use strict";
(function () {
  function copied(btn, ok) {
    var old = btn.textContent;
    btn.textContent = ok ? "Copied" : "Copy failed";
    btn.classList.toggle("done", ok);
    setTimeout(function () { btn.textContent = old; btn.classList.remove("done"); }, 1500);
  }

  // Copy buttons copy the defanged value from data-copy (set as text by the
  // server; never interpreted as HTML here).
  function fallbackCopy(text) {
    var ta = document.createElement("textarea");
    ta.value = text;
    ta.setAttribute("readonly", "");
    ta.className = "offscreen";
    document.body.appendChild(ta);
    ta.select();
    var ok = false;
    try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
    document.body.removeChild(ta);
    return ok;
  }

  document.addEventListener("click", function (ev) {
    var btn = ev.target.closest("button.copy");
    if (!btn) { return; }
    var text = btn.getAttribute("data-copy") || "";
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(function () { copied(btn, true); },
        function () { copied(btn, fallbackCopy(text)); });
    } else {
      copied(btn, fallbackCopy(text));
    }
  });

  // Filter selects apply at once.
  var filters = document.getElementById("filters");
  if (filters) {
    filters.querySelectorAll("select").forEach(function (sel) {
      sel.addEventListener("change", function () { filters.requestSubmit(); });
    });
  }
})();
