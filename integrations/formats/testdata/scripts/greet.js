// Format a greeting for the page header.
function greeting(name, now) {
  var hour = now.getHours();
  var part = hour < 12 ? "morning" : hour < 18 ? "afternoon" : "evening";
  return "Good " + part + ", " + name + "!";
}

function render(el, name) {
  el.textContent = greeting(name, new Date());
}

module.exports = { greeting: greeting, render: render };
