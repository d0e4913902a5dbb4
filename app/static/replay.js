// Step-through replay: moves a slider over the audit events, redraws the markers on the
// pinned diagram and swaps in the server-rendered details of the step.
(function () {
  var root = document.getElementById("replay");
  if (!root || !window.BpmnJS) { return; }
  var el = document.getElementById("diagram"), slider = document.getElementById("step-slider");
  var panel = document.getElementById("step-panel"), label = document.getElementById("step-n");
  var total = parseInt(root.getAttribute("data-total"), 10) || 1, base = root.getAttribute("data-steps-url");
  var viewer = new window.BpmnJS({ container: el }), canvas, registry, marked = [], timer = null, ready = false;

  function mark(completed, active) {
    marked.forEach(function (m) { canvas.removeMarker(m[0], m[1]); });
    marked = [];
    completed.forEach(function (id) { if (registry.get(id)) { canvas.addMarker(id, "cq-done"); marked.push([id, "cq-done"]); } });
    active.forEach(function (id) { if (registry.get(id)) { canvas.addMarker(id, "cq-active"); marked.push([id, "cq-active"]); } });
  }
  function highlightRow(n) {
    Array.prototype.forEach.call(document.querySelectorAll("#timeline tr[data-step]"), function (row) {
      row.classList.toggle("current", row.getAttribute("data-step") === String(n));
    });
  }
  function go(n) {
    n = Math.max(1, Math.min(total, n));
    return fetch(base + n + ".json", { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (step) {
        slider.value = step.n; label.textContent = step.n; panel.innerHTML = step.html;
        el.setAttribute("data-step", step.n);
        if (ready) { mark(step.completed || [], step.active || []); }
        highlightRow(step.n);
        history.replaceState(null, "", "?step=" + step.n);
      });
  }
  var play = document.getElementById("step-play"), playLabel = play.textContent;
  function stop() { if (timer) { clearInterval(timer); timer = null; play.textContent = playLabel; } }

  fetch(root.getAttribute("data-xml-url"), { credentials: "same-origin" })
    .then(function (r) { return r.text(); })
    .then(function (xml) { return viewer.importXML(xml); })
    .then(function () {
      canvas = viewer.get("canvas"); registry = viewer.get("elementRegistry"); ready = true;
      canvas.zoom("fit-viewport");
      mark(JSON.parse(el.getAttribute("data-completed")), JSON.parse(el.getAttribute("data-active")));
      el.setAttribute("data-step", slider.value);
      el.setAttribute("data-rendered", "true");
      highlightRow(slider.value);
    });

  slider.addEventListener("change", function () { stop(); go(parseInt(slider.value, 10)); });
  document.getElementById("step-first").addEventListener("click", function () { stop(); go(1); });
  document.getElementById("step-last").addEventListener("click", function () { stop(); go(total); });
  document.getElementById("step-prev").addEventListener("click", function () { stop(); go(parseInt(slider.value, 10) - 1); });
  document.getElementById("step-next").addEventListener("click", function () { stop(); go(parseInt(slider.value, 10) + 1); });
  document.getElementById("step-play").addEventListener("click", function (ev) {
    if (timer) { stop(); return; }
    ev.target.textContent = "■";
    if (parseInt(slider.value, 10) >= total) { go(1); }
    timer = setInterval(function () {
      var n = parseInt(slider.value, 10);
      if (n >= total) { stop(); return; }
      go(n + 1);
    }, 900);
  });
  document.getElementById("timeline").addEventListener("click", function (ev) {
    var a = ev.target.closest("[data-goto]");
    if (a) { ev.preventDefault(); stop(); go(parseInt(a.getAttribute("data-goto"), 10)); }
  });
  var check = document.getElementById("reexecute");
  check.addEventListener("click", function () {
    document.getElementById("reexecution").textContent = "…";
    fetch(check.getAttribute("data-url"), { credentials: "same-origin" }).then(function (r) { return r.text(); })
      .then(function (html) { document.getElementById("reexecution").innerHTML = html; });
  });
})();
