// Click-to-sort for tables marked with class="sortable".
(function () {
  function cellValue(row, idx) {
    var t = row.cells[idx].getAttribute('data-sort') || row.cells[idx].textContent.trim();
    var n = parseFloat(t.replace(/[^0-9.\-]/g, ''));
    return isNaN(n) || /[a-z]/i.test(t) ? t.toLowerCase() : n;
  }
  document.querySelectorAll('table.sortable th').forEach(function (th) {
    th.tabIndex = 0;
    th.addEventListener('click', function () {
      var table = th.closest('table');
      var tbody = table.tBodies[0];
      var idx = Array.prototype.indexOf.call(th.parentNode.children, th);
      var asc = th.getAttribute('aria-sort') !== 'ascending';
      table.querySelectorAll('th').forEach(function (h) { h.removeAttribute('aria-sort'); });
      th.setAttribute('aria-sort', asc ? 'ascending' : 'descending');
      Array.from(tbody.rows)
        .sort(function (a, b) {
          var x = cellValue(a, idx), y = cellValue(b, idx);
          return (x > y ? 1 : x < y ? -1 : 0) * (asc ? 1 : -1);
        })
        .forEach(function (r) { tbody.appendChild(r); });
    });
  });
})();
