// The forms editor (admin/form_edit.html): the JSON Schema text with line numbers, a field list
// that edits the same text (add, remove, move, title, type, required), and a preview of the form
// rendered by the server as the task page renders it, refreshed while the administrator types.
(function () {
  var root = document.getElementById("form-editor");
  if (!root) { return; }
  var text = document.getElementById("schema-text");
  var gutter = document.getElementById("schema-gutter");
  var preview = document.getElementById("preview");
  var status = document.getElementById("preview-status");
  var message = document.getElementById("field-list-message");
  var tbody = document.querySelector("#field-list tbody");
  var csrf = document.querySelector('meta[name="csrf-token"]').getAttribute("content");
  var stepChoice = document.getElementById("preview-step");
  var timer = null, sent = 0;

  function numberLines() {
    var count = text.value.split("\n").length, lines = [];
    for (var i = 1; i <= count; i++) { lines.push(i); }
    gutter.textContent = lines.join("\n");
    gutter.scrollTop = text.scrollTop;
  }

  function refreshPreview() {
    var mine = ++sent, body = new FormData();
    body.append("schema", text.value);
    if (stepChoice) { body.append("step", stepChoice.value); }
    status.textContent = "…";
    fetch(root.getAttribute("data-preview-url"), {
      method: "POST", body: body, credentials: "same-origin", headers: {"X-CSRFToken": csrf}
    }).then(function (response) { return response.text(); }).then(function (html) {
      if (mine !== sent) { return; }          // a later edit's preview is on its way
      preview.innerHTML = html;               // rendered and escaped by the server's templates
      status.textContent = "";
      markProblemLines();
    }).catch(function () { status.textContent = "!"; });
  }

  function markProblemLines() {
    var bad = {};
    Array.prototype.forEach.call(preview.querySelectorAll("[data-line]"), function (item) {
      if (item.getAttribute("data-line")) { bad[item.getAttribute("data-line")] = true; }
    });
    gutter.innerHTML = "";
    text.value.split("\n").forEach(function (_line, i) {
      var span = document.createElement("span");
      span.textContent = (i + 1) + "\n";
      if (bad[i + 1]) { span.className = "bad-line"; }
      gutter.appendChild(span);
    });
    gutter.scrollTop = text.scrollTop;
  }

  function changed() {
    numberLines();
    renderFields();
    clearTimeout(timer);
    timer = setTimeout(refreshPreview, 400);
  }

  function parsed() {
    try {
      var schema = JSON.parse(text.value);
      return schema && typeof schema === "object" && !Array.isArray(schema) ? schema : null;
    } catch (e) { return null; }
  }

  function write(schema) {
    text.value = JSON.stringify(schema, null, 2);
    changed();
  }

  function typeOf(spec) {
    if (spec["x-widget"]) { return spec["x-widget"]; }
    return spec.format ? spec.type + " (" + spec.format + ")" : (spec.type || "");
  }

  function cell(row, content) {
    var td = document.createElement("td");
    if (typeof content === "string") { td.textContent = content; } else { td.appendChild(content); }
    row.appendChild(td);
    return td;
  }

  function button(label, title, action) {
    var b = document.createElement("button");
    b.type = "button"; b.className = "link"; b.textContent = label; b.title = title;
    b.setAttribute("aria-label", title);
    b.addEventListener("click", action);
    return b;
  }

  function renderFields() {
    var schema = parsed();
    tbody.innerHTML = "";
    message.textContent = schema ? "" : root.getAttribute("data-msg-invalid");
    if (!schema || typeof schema.properties !== "object" || schema.properties === null) { return; }
    var names = Object.keys(schema.properties), required = Array.isArray(schema.required) ? schema.required : [];
    names.forEach(function (name, i) {
      var spec = schema.properties[name] || {}, row = document.createElement("tr");
      row.setAttribute("data-field", name);
      var named = cell(row, name);
      named.className = "mono";
      named.setAttribute("data-verbatim", "");          // the schema's own words, in any language
      var title = document.createElement("input");
      title.value = spec.title || ""; title.setAttribute("aria-label", name);
      title.addEventListener("change", function () { edit(function (s) { s.properties[name].title = title.value; }); });
      cell(row, title);
      cell(row, typeOf(spec)).setAttribute("data-verbatim", "");
      var req = document.createElement("input");
      req.type = "checkbox"; req.checked = required.indexOf(name) >= 0; req.setAttribute("aria-label", name);
      req.addEventListener("change", function () { edit(function (s) { setRequired(s, name, req.checked); }); });
      cell(row, req);
      var tools = document.createElement("span");
      tools.appendChild(button("↑", root.getAttribute("data-msg-up"), function () { edit(function (s) { move(s, i, i - 1); }); }));
      tools.appendChild(button("↓", root.getAttribute("data-msg-down"), function () { edit(function (s) { move(s, i, i + 1); }); }));
      tools.appendChild(button("✕", root.getAttribute("data-msg-remove"), function () {
        edit(function (s) { delete s.properties[name]; setRequired(s, name, false); });
      }));
      cell(row, tools);
      tbody.appendChild(row);
    });
  }

  function edit(change) {
    var schema = parsed();
    if (!schema) { return; }
    change(schema);
    write(schema);
  }

  function setRequired(schema, name, on) {
    var list = (Array.isArray(schema.required) ? schema.required : []).filter(function (n) { return n !== name; });
    if (on) { list.push(name); }
    schema.required = list;
  }

  function move(schema, from, to) {
    var names = Object.keys(schema.properties);
    if (to < 0 || to >= names.length) { return; }
    names.splice(to, 0, names.splice(from, 1)[0]);
    var ordered = {};
    names.forEach(function (n) { ordered[n] = schema.properties[n]; });
    schema.properties = ordered;
  }

  function newField() {
    var kind = document.getElementById("new-type").value, spec = {title: document.getElementById("new-title").value};
    if (kind === "textarea") { spec.type = "string"; spec["x-widget"] = "textarea"; }
    else if (kind === "date") { spec.type = "string"; spec.format = "date"; }
    else { spec.type = kind; }
    var options = document.getElementById("new-enum").value.split(/[,，]/).map(function (s) { return s.trim(); })
      .filter(function (s) { return s; });
    if (options.length && (kind === "string" || kind === "textarea")) { spec.enum = options; delete spec["x-widget"]; }
    return spec;
  }

  document.getElementById("add-field-button").addEventListener("click", function () {
    var name = document.getElementById("new-name").value.trim(), schema = parsed();
    if (!schema) { message.textContent = root.getAttribute("data-msg-invalid"); return; }
    if (!/^[a-z_][a-z0-9_]*$/.test(name)) { message.textContent = root.getAttribute("data-msg-name"); return; }
    schema.properties = schema.properties || {};
    if (schema.properties[name]) { message.textContent = root.getAttribute("data-msg-exists"); return; }
    schema.properties[name] = newField();
    if (document.getElementById("new-required").checked) { setRequired(schema, name, true); }
    write(schema);
    ["new-name", "new-title", "new-enum"].forEach(function (id) { document.getElementById(id).value = ""; });
    document.getElementById("new-required").checked = false;
  });

  text.addEventListener("input", changed);
  if (stepChoice) { stepChoice.addEventListener("change", refreshPreview); }
  text.addEventListener("scroll", function () { gutter.scrollTop = text.scrollTop; });
  numberLines();
  renderFields();
  refreshPreview();
})();
