// Renders the case's pinned diagram with bpmn-js and marks completed and current steps.
(function () {
  var el = document.getElementById("diagram");
  if (!el || !window.BpmnJS) { return; }
  var viewer = new window.BpmnJS({ container: el });
  var completed = JSON.parse(el.getAttribute("data-completed") || "[]");
  var active = JSON.parse(el.getAttribute("data-active") || "[]");
  fetch(el.getAttribute("data-xml-url"), { credentials: "same-origin" })
    .then(function (r) { return r.text(); })
    .then(function (xml) { return viewer.importXML(xml); })
    .then(function () {
      var canvas = viewer.get("canvas"), registry = viewer.get("elementRegistry");
      canvas.zoom("fit-viewport");
      completed.forEach(function (id) { if (registry.get(id)) { canvas.addMarker(id, "cq-done"); } });
      active.forEach(function (id) { if (registry.get(id)) { canvas.addMarker(id, "cq-active"); } });
      el.setAttribute("data-rendered", "true");
    })
    .catch(function (err) { el.textContent = "Diagram could not be shown: " + err.message; });
})();
