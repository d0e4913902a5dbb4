// Bottleneck heat map: colours each step by its 90th-percentile wait and labels it.
(function () {
  var el = document.getElementById("diagram");
  if (!el || !window.BpmnJS) { return; }
  var rows = JSON.parse(el.getAttribute("data-heat") || "[]"), worst = parseFloat(el.getAttribute("data-worst")) || 0;
  var viewer = new window.BpmnJS({ container: el });
  fetch(el.getAttribute("data-xml-url"), { credentials: "same-origin" })
    .then(function (r) { return r.text(); })
    .then(function (xml) { return viewer.importXML(xml); })
    .then(function () {
      var canvas = viewer.get("canvas"), registry = viewer.get("elementRegistry"), overlays = viewer.get("overlays");
      canvas.zoom("fit-viewport");
      rows.forEach(function (row) {
        if (!registry.get(row.element_id)) { return; }
        var level = worst > 0 ? Math.min(5, 1 + Math.floor(4.999 * row.p90_hours / worst)) : 1;
        canvas.addMarker(row.element_id, "cq-heat-" + level);
        var label = document.createElement("div");
        label.className = "cq-heat-label";
        label.textContent = row.median_hours + " / " + row.p90_hours + " h";
        overlays.add(row.element_id, { position: { bottom: 14, left: 0 }, html: label });
      });
      el.setAttribute("data-rendered", "true");
    });
})();
