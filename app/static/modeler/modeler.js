// The process modeler page (/admin/processes/<key>/edit): camunda-bpmn-js's Camunda 7 modeler with
// our element templates; the draft saved as one edits (debounced) and when the page is left; the
// deploy checks on every save, pinned on the elements; bpmnlint's warnings; the diff against the
// running version on two diagrams; the people picker; deploy with a change note.
// The modeler is window.chainqModeler (browser tests drive it through its API).
(function () {
  var root = document.getElementById("modeler");
  if (!root || !window.BpmnModeler) { return; }
  var texts = JSON.parse(root.getAttribute("data-texts"));
  var lintRules = JSON.parse(root.getAttribute("data-lint-rules") || "{}");
  var csrf = document.querySelector('meta[name="csrf-token"]').getAttribute("content");
  var url = function (name) { return root.getAttribute("data-" + name + "-url"); };
  var modeler, latestXml = null, dirty = false, saveTimer = null;

  function say(template, params) {
    return template.replace(/\{(\w+)\}/g, function (_m, name) { return String(params[name]); });
  }
  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) { node.setAttribute(name, attrs[name]); });
    if (text !== undefined) { node.textContent = text; }
    return node;
  }
  function post(target, body) {
    return fetch(target, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf, "Accept": "application/json" },
      body: JSON.stringify(body)
    }).then(function (r) {
      return r.json().then(function (data) { return { ok: r.ok, status: r.status, data: data }; });
    });
  }
  function getText(target) {
    return fetch(target, { credentials: "same-origin" }).then(function (r) {
      if (!r.ok) { throw new Error(r.status + " " + r.statusText); }
      return r.text();
    });
  }
  function currentXml() {
    return modeler.saveXML({ format: true }).then(function (result) { return result.xml; });
  }
  function elementName(id) {
    var shape = modeler.get("elementRegistry").get(id);
    var name = shape && shape.businessObject && shape.businessObject.name;
    return name || id;         // the id stays in the item's title
  }
  function select(id) {
    var shape = modeler.get("elementRegistry").get(id);
    if (!shape) { return; }
    modeler.get("selection").select(shape);
    modeler.get("canvas").scrollToElement(shape);
  }

  // --- problems: the deploy's, pinned on their elements, and bpmnlint's warnings ---
  var pinned = [];
  function clearPins() {
    var overlays = modeler.get("overlays");
    pinned.forEach(function (id) { overlays.remove(id); });
    pinned = [];
  }
  function pin(elementId, kind, messages) {
    if (!modeler.get("elementRegistry").get(elementId)) { return; }
    var badge = el("div", { "class": "cq-pin cq-pin-" + kind, "data-pin": elementId, title: messages.join("\n") },
                   kind === "error" ? "!" : "?");
    pinned.push(modeler.get("overlays").add(elementId, "chainq-" + kind, { position: { top: -12, right: 12 }, html: badge }));
  }
  function listItem(list, elementId, text, kind, title) {
    var item = el("li", { "class": kind, "data-element": elementId || "", title: (title || elementId || "") });
    item.appendChild(el("strong", {}, elementId ? elementName(elementId) : "—"));
    item.appendChild(document.createTextNode(" " + text));
    list.appendChild(item);
  }
  function showProblems(problems, lintResults) {
    clearPins();
    var list = document.getElementById("problems"), warnings = document.getElementById("lint-warnings");
    list.textContent = "";
    warnings.textContent = "";
    var byElement = {};
    problems.forEach(function (p) {
      var where = p.line ? " (" + say(texts.problemAt, { line: p.line }) + ")" : "";
      listItem(list, p.element, p.message + where, "error");
      if (p.element) { (byElement[p.element] = byElement[p.element] || []).push(p.message); }
    });
    Object.keys(byElement).forEach(function (id) { pin(id, "error", byElement[id]); });
    document.getElementById("check-summary").textContent =
      problems.length ? say(texts.problems, { n: problems.length }) : texts.noProblems;
    document.getElementById("problems-panel").setAttribute("data-problems", String(problems.length));
    var lintCount = 0;
    Object.keys(lintResults || {}).forEach(function (id) {
      // the rule's description in the reader's language; bpmnlint's own (English) message as the tooltip
      var messages = lintResults[id].map(function (r) { return lintRules[r.rule] || r.message; });
      lintResults[id].forEach(function (r, i) {
        listItem(warnings, id, messages[i], "warning", r.rule + ": " + r.message);
        lintCount += 1;
      });
      if (!byElement[id]) { pin(id, "warning", messages); }
    });
    if (!lintCount) { warnings.appendChild(el("li", { "class": "muted" }, texts.lintNone)); }
  }
  function check(xml) {
    document.getElementById("check-summary").textContent = texts.checking;
    var lint = window.ChainQModelerTools ? window.ChainQModelerTools.lint(modeler.getDefinitions()) : Promise.resolve({});
    return Promise.all([post(url("validate"), { xml: xml }), lint.catch(function () { return {}; })])
      .then(function (results) {
        var answer = results[0];
        if (!answer.ok) { throw new Error(answer.data.message || answer.status); }
        showProblems(answer.data.problems, results[1]);
        return answer.data.problems;
      });
  }
  document.getElementById("problems").addEventListener("click", function (ev) {
    var item = ev.target.closest("li[data-element]");
    if (item && item.getAttribute("data-element")) { select(item.getAttribute("data-element")); }
  });
  document.getElementById("lint-warnings").addEventListener("click", function (ev) {
    var item = ev.target.closest("li[data-element]");
    if (item && item.getAttribute("data-element")) { select(item.getAttribute("data-element")); }
  });

  // --- the draft: saved after each pause in editing, checked with it, and sent when the page is left ---
  var status = document.getElementById("draft-status");
  function saveDraft() {
    saveTimer = null;
    return currentXml().then(function (xml) {
      latestXml = xml;
      status.textContent = texts.saving;
      return post(url("save"), { xml: xml }).then(function (answer) {
        if (!answer.ok) { throw new Error(answer.data.message || answer.status); }
        dirty = false;
        status.textContent = say(texts.saved, { time: answer.data.saved_at });
        document.getElementById("discard-draft").hidden = false;
        return check(xml);
      });
    }).catch(function (err) { status.textContent = say(texts.saveFailed, { reason: err.message }); });
  }
  function changed() {
    dirty = true;
    currentXml().then(function (xml) { latestXml = xml; });
    if (saveTimer) { clearTimeout(saveTimer); }
    saveTimer = setTimeout(saveDraft, 1500);
  }
  function sendOnLeave() {
    if (!dirty || latestXml === null) { return; }
    var form = new FormData();
    form.append("xml", latestXml);
    form.append("csrf_token", csrf);
    navigator.sendBeacon(url("save"), form);
    dirty = false;
  }
  window.addEventListener("pagehide", sendOnLeave);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") { sendOnLeave(); }
  });

  // --- the diff against the running version, on both diagrams ---
  var viewers = {};
  function viewer(id) {
    if (!viewers[id]) { viewers[id] = new window.BpmnJS({ container: document.getElementById(id) }); }
    return viewers[id];
  }
  function mark(v, ids, marker) {
    var registry = v.get("elementRegistry"), canvas = v.get("canvas");
    ids.forEach(function (id) { if (registry.get(id)) { canvas.addMarker(id, marker); } });
  }
  function showDiff() {
    var panel = document.getElementById("diff-panel"), list = document.getElementById("diff-list");
    panel.hidden = false;
    return Promise.all([getText(url("deployed")), currentXml()]).then(function (xmls) {
      return window.ChainQModelerTools.compare(xmls[0], xmls[1]).then(function (changes) {
        var older = viewer("diff-old"), newer = viewer("diff-new");
        return older.importXML(xmls[0]).then(function () { return newer.importXML(xmls[1]); }).then(function () {
          older.get("canvas").zoom("fit-viewport");
          newer.get("canvas").zoom("fit-viewport");
          mark(older, Object.keys(changes.removed), "cq-diff-removed");
          mark(newer, Object.keys(changes.added), "cq-diff-added");
          mark(older, Object.keys(changes.changed), "cq-diff-changed");
          mark(newer, Object.keys(changes.changed), "cq-diff-changed");
          mark(newer, Object.keys(changes.layoutChanged), "cq-diff-moved");
          list.textContent = "";
          var kinds = [["added", texts.added], ["removed", texts.removed], ["changed", texts.changed],
                       ["layoutChanged", texts.moved]];
          kinds.forEach(function (kind) {
            Object.keys(changes[kind[0]]).forEach(function (id) {
              var item = el("li", { "data-change": kind[0], "data-element": id, title: id + " · " + changes[kind[0]][id] });
              item.appendChild(el("strong", {}, kind[1] + ": "));
              item.appendChild(document.createTextNode(elementName(id)));
              list.appendChild(item);
            });
          });
          if (!list.children.length) { list.appendChild(el("li", { "class": "muted" }, texts.noDifference)); }
          panel.setAttribute("data-ready", "true");
        });
      });
    });
  }

  // --- deploy ---
  function deploy() {
    var note = document.getElementById("deploy-note").value.trim(), result = document.getElementById("deploy-result");
    if (!note) { result.textContent = texts.noteRequired; document.getElementById("deploy-note").focus(); return; }
    result.textContent = texts.deploying;
    if (saveTimer) { clearTimeout(saveTimer); saveTimer = null; }
    currentXml().then(function (xml) {
      return post(url("deploy"), { xml: xml, note: note }).then(function (answer) {
        result.textContent = answer.data.message;
        result.className = answer.ok ? "ok" : "error";
        if (answer.ok) {
          dirty = false;
          document.getElementById("discard-draft").hidden = true;
          status.textContent = "";
          document.getElementById("deploy-note").value = "";
          result.setAttribute("data-version", String(answer.data.version));
          document.getElementById("running-version").textContent = "v" + answer.data.version;
          root.setAttribute("data-deployed-url", root.getAttribute("data-deployed-url") ||
                            window.location.pathname.replace(/edit$/, "deployed.xml"));
          document.getElementById("diff-button").disabled = false;
        } else {
          check(xml);
        }
      });
    });
  }

  // --- people picker: adds the chosen person or group to the selected user task ---
  function selectedTask() {
    var chosen = modeler.get("selection").get();
    return chosen.length === 1 && chosen[0].type === "bpmn:UserTask" ? chosen[0] : null;
  }
  function addTo(attribute, value, replace) {
    var task = selectedTask();
    if (!task) { window.alert(texts.selectTask); return; }
    var current = (task.businessObject.get(attribute) || "").split(",").map(function (s) { return s.trim(); })
      .filter(Boolean);
    if (replace) { current = [value]; } else if (current.indexOf(value) < 0) { current.push(value); }
    var update = {};
    update[attribute] = current.join(",");
    modeler.get("modeling").updateProperties(task, update);
  }
  var peopleTimer = null;
  function searchPeople() {
    var q = document.getElementById("people-q").value;
    fetch(url("people") + "?q=" + encodeURIComponent(q), { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (found) {
        var list = document.getElementById("people-results");
        list.textContent = "";
        found.users.forEach(function (u) {
          var item = el("li", { "data-user": u.username });
          item.appendChild(el("strong", {}, u.display_name));
          item.appendChild(el("span", { "class": "muted small" }, " " + [u.unit, u.groups].filter(Boolean).join(" · ")));
          item.appendChild(el("button", { type: "button", "class": "link", "data-set": "camunda:assignee", "data-value": u.username }, texts.assignee));
          item.appendChild(el("button", { type: "button", "class": "link", "data-add": "camunda:candidateUsers", "data-value": u.username }, texts.candidateUser));
          list.appendChild(item);
        });
        found.groups.forEach(function (grp) {
          var item = el("li", { "data-group": grp.key });
          item.appendChild(el("strong", {}, grp.name));
          item.appendChild(el("button", { type: "button", "class": "link", "data-add": "camunda:candidateGroups", "data-value": grp.key }, texts.candidateGroup));
          list.appendChild(item);
        });
        if (!list.children.length) { list.appendChild(el("li", { "class": "muted" }, texts.noPeople)); }
      });
  }
  document.getElementById("people-q").addEventListener("input", function () {
    if (peopleTimer) { clearTimeout(peopleTimer); }
    peopleTimer = setTimeout(searchPeople, 250);
  });
  document.getElementById("people-results").addEventListener("click", function (ev) {
    var button = ev.target.closest("button[data-value]");
    if (!button) { return; }
    if (button.hasAttribute("data-set")) { addTo(button.getAttribute("data-set"), button.getAttribute("data-value"), true); }
    else { addTo(button.getAttribute("data-add"), button.getAttribute("data-value"), false); }
  });

  // --- the modeler's own texts (palette, context pad, menus, properties panel) in the reader's language:
  // the page gives their translations (gettext in the context "modeler", modeler/modeler-texts.json);
  // a text without one stays as written and is listed in window.chainqUntranslated (a browser test
  // reads it: tests/browser/test_modeler__panel_speaks_the_readers_language.py) ---
  var modelerTexts = JSON.parse(root.getAttribute("data-modeler-texts") || "{}");
  window.chainqUntranslated = {};
  function translate(template, replacements) {
    var text = Object.prototype.hasOwnProperty.call(modelerTexts, template) ? modelerTexts[template] : undefined;
    if (text === undefined) { window.chainqUntranslated[template] = true; text = template; }
    return text.replace(/\{([^}]+)\}/g, function (_m, key) {
      return replacements && replacements[key] !== undefined ? replacements[key] : "{" + key + "}";
    });
  }
  // The element templates come in the reader's language (the server translates them) and the panel
  // passes their texts through translate too: they are translated already.
  function templatesTranslated(templates) {
    function known(text) {
      if (text && !Object.prototype.hasOwnProperty.call(modelerTexts, text)) { modelerTexts[text] = text; }
    }
    templates.forEach(function (template) {
      known(template.name);
      known(template.description);
      (template.groups || []).forEach(function (group) { known(group.label); });
      (template.properties || []).forEach(function (prop) {
        known(prop.label);
        known(prop.description);
        (prop.choices || []).forEach(function (choice) { known(choice.name); });
      });
    });
  }
  // @bpmn-io/properties-panel draws a group's own texts (the add button's "Create", "<empty>" for an
  // unnamed list item, the titles of its buttons) with the translate function the group is given, or
  // in English; and bpmn-js-properties-panel names a listener "End: Script" without translating it
  // (left open upstream). A properties provider that runs after all others (theirs have priorities of
  // 300 and up) gives every group the page's translate and translates both halves of a listener's name.
  var LISTENER_GROUPS = ["CamundaPlatform__ExecutionListener", "CamundaPlatform__TaskListener"];
  function listenerName(label) {
    var parts = typeof label === "string" ? label.split(": ") : [];
    return parts.length === 2 ? translate("{event}: {type}", { event: translate(parts[0]), type: translate(parts[1]) }) : label;
  }
  function GroupTexts(propertiesPanel) {
    propertiesPanel.registerProvider(1, {
      getGroups: function () {
        return function (groups) {
          return groups.map(function (group) {
            var translated = Object.assign({}, group, { translate: group.translate || translate });
            if (LISTENER_GROUPS.indexOf(group.id) >= 0 && group.items) {
              translated.items = group.items.map(function (item) { return Object.assign({}, item, { label: listenerName(item.label) }); });
            }
            return translated;
          });
        };
      }
    });
  }
  GroupTexts.$inject = ["propertiesPanel"];

  // --- start: templates, then the running version or the draft ---
  function open(xml) {
    return modeler.importXML(xml).then(function () {
      modeler.get("canvas").zoom("fit-viewport");
      return currentXml();
    }).then(function (xml2) {
      latestXml = xml2;
      root.setAttribute("data-ready", "true");
      return check(xml2);
    }).catch(function (err) { status.textContent = say(texts.loadFailed, { reason: err.message }); });
  }
  fetch(url("templates"), { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (templates) {
    templatesTranslated(templates);
    modeler = new window.BpmnModeler({
      container: "#canvas", propertiesPanel: { parent: "#properties" }, elementTemplates: templates,
      additionalModules: [{ translate: ["value", translate] },
                          { __init__: ["chainqGroupTexts"], chainqGroupTexts: ["type", GroupTexts] }]
    });
    window.chainqModeler = modeler;
    modeler.on("commandStack.changed", changed);
    var offer = document.getElementById("draft-offer");
    if (offer) {
      document.getElementById("open-draft").addEventListener("click", function () {
        offer.hidden = true;
        getText(url("draft")).then(open);
      });
      document.getElementById("ignore-draft").addEventListener("click", function () { offer.hidden = true; });
    }
    return getText(url("deployed") || url("draft")).then(open);
  });
  document.getElementById("check-button").addEventListener("click", function () { currentXml().then(check); });
  document.getElementById("diff-button").addEventListener("click", showDiff);
  document.getElementById("deploy-button").addEventListener("click", deploy);
})();
