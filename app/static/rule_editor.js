// The rules editor (admin/rule_edit.html): the newest deployed DMN file in dmn-js, checked by the
// server with the deploy's own checks (each problem names its decision, rule and column; clicking it
// opens that decision and marks the cell), and deployed with a change note.
(function () {
  var root = document.getElementById("rule-editor");
  if (!root || !window.DmnJS) { return; }
  var csrf = document.querySelector('meta[name="csrf-token"]').getAttribute("content");
  var tabs = document.getElementById("dmn-views");
  var list = document.getElementById("rules-problems");
  var status = document.getElementById("rules-status");
  var modules = root.getAttribute("data-lang") === "zh" && window.ChainqDmnZh ? [window.ChainqDmnZh] : [];
  // dmn-js passes each view its own additionalModules (the `common` ones would be replaced)
  var modeler = new window.DmnJS({container: "#dmn-canvas", drd: {additionalModules: modules},
    decisionTable: {additionalModules: modules}, literalExpression: {additionalModules: modules}});
  var problems = [];

  function say(text, bad) {
    status.textContent = text;
    status.className = bad ? "field-error" : "muted";
  }

  function label(view) {
    return view.element.name || view.element.id;
  }

  function renderTabs() {
    var active = modeler.getActiveView();
    var troubled = {};
    problems.forEach(function (p) { if (p.decision) { troubled[p.decision] = true; } });
    tabs.innerHTML = "";
    modeler.getViews().forEach(function (view) {
      var b = document.createElement("button");
      b.type = "button";
      b.textContent = label(view);
      b.setAttribute("data-view", view.element.id);
      if (active && active.element === view.element) { b.className = "active"; }
      if (troubled[view.element.id]) { b.className += " has-problem"; }
      b.addEventListener("click", function () { modeler.open(view); });
      tabs.appendChild(b);
    });
    markCells();
  }

  function markCells() {
    var canvas = document.getElementById("dmn-canvas");
    Array.prototype.forEach.call(canvas.querySelectorAll(".has-problem"), function (el) {
      el.classList.remove("has-problem");
    });
    problems.forEach(function (p) {
      if (!p.element) { return; }
      // a cell carries its own id and its rule's: a problem of a rule marks the rule's cells
      Array.prototype.forEach.call(canvas.querySelectorAll("[data-element-id], [data-row-id]"), function (el) {
        if (el.getAttribute("data-element-id") === p.element || el.getAttribute("data-row-id") === p.element) {
          el.classList.add("has-problem");
        }
      });
    });
  }

  function openDecision(id) {
    modeler.getViews().forEach(function (view) {
      if (view.element.id === id && view.type !== "drd") { modeler.open(view); }
    });
  }

  function showProblems(found) {
    problems = found;
    list.innerHTML = "";
    found.forEach(function (p) {
      var li = document.createElement("li");
      li.textContent = p.message;
      if (p.decision) {
        li.setAttribute("data-decision", p.decision);
        li.addEventListener("click", function () { openDecision(p.decision); });
      }
      list.appendChild(li);
    });
    renderTabs();
  }

  function post(url, body) {
    return fetch(url, {
      method: "POST", credentials: "same-origin", body: JSON.stringify(body),
      headers: {"Content-Type": "application/json", "X-CSRFToken": csrf}
    }).then(function (response) {
      return response.json().then(function (data) { return {ok: response.ok, data: data}; });
    });
  }

  function withXml(then) {
    modeler.saveXML({format: true}).then(function (result) { return then(result.xml); })
      .catch(function () { say(root.getAttribute("data-msg-failed"), true); });
  }

  document.getElementById("check-rules").addEventListener("click", function () {
    withXml(function (xml) {
      return post(root.getAttribute("data-check-url"), {xml: xml}).then(function (answer) {
        showProblems(answer.data.problems || []);
        say(problems.length ? "" : root.getAttribute("data-msg-ok"), false);
      });
    });
  });

  document.getElementById("deploy-rules").addEventListener("click", function () {
    if (!window.confirm(root.getAttribute("data-confirm"))) { return; }
    var note = document.getElementById("change-note").value;
    withXml(function (xml) {
      return post(root.getAttribute("data-deploy-url"), {xml: xml, note: note}).then(function (answer) {
        if (!answer.ok) {
          showProblems(answer.data.problems || []);
          say("", true);
          return;
        }
        showProblems([]);
        if (!answer.data.created) { say(root.getAttribute("data-msg-unchanged"), false); return; }
        var names = answer.data.redeployed.map(function (p) { return p.key + " v" + p.version; });
        say(root.getAttribute("data-msg-deployed").replace("{version}", answer.data.version)
          .replace("{list}", names.length ? names.join(", ") : root.getAttribute("data-msg-none")), false);
        status.setAttribute("data-deployed", answer.data.version);
      });
    });
  });

  modeler.on("views.changed", renderTabs);
  fetch(root.getAttribute("data-source-url"), {credentials: "same-origin"})
    .then(function (response) { return response.text(); })
    .then(function (xml) { return modeler.importXML(xml); })
    .then(function () {
      // open the first decision's table rather than the requirements diagram
      var first = modeler.getViews().filter(function (v) { return v.type !== "drd"; })[0];
      if (first) { modeler.open(first); }
      root.setAttribute("data-ready", "1");
    })
    .catch(function () { say(root.getAttribute("data-msg-failed"), true); });
})();
