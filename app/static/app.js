// Small progressive enhancements: add/remove table rows, remove attachments.
(function () {
  function renumber(tbody, name) {
    Array.prototype.forEach.call(tbody.querySelectorAll("tr[data-row]"), function (row, i) {
      row.querySelector(".rownum").textContent = i + 1;
      Array.prototype.forEach.call(row.querySelectorAll("input[data-col]"), function (input) {
        input.name = name + "-" + i + "-" + input.getAttribute("data-col");
      });
    });
  }
  // Forms that undo work ask first (data-confirm holds the question).
  document.addEventListener("submit", function (ev) {
    var question = ev.target.getAttribute && ev.target.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      ev.preventDefault();
      return;
    }
    // 退回 and 不同意 ask first too: the decision the form is about to submit
    var submitter = ev.submitter, chosen = ev.target.querySelector && ev.target.querySelector('input[name="decision"]:checked');
    if (chosen && (!submitter || submitter.value === "complete")) {
      var ask = ev.target.getAttribute("data-confirm-" + chosen.value);
      if (ask && !window.confirm(ask)) { ev.preventDefault(); }
    }
  });
  document.addEventListener("click", function (ev) {
    if (ev.target.closest("[data-print]")) { window.print(); return; }
    var internal = ev.target.closest("[data-toggle-internal]");    // the timeline's system records
    if (internal) {
      var shown = document.body.classList.toggle("show-internal");
      internal.textContent = internal.getAttribute(shown ? "data-hide" : "data-show");
      return;
    }
    var toggle = ev.target.closest("#nav-toggle");      // the menu on narrow screens
    if (toggle) {
      var open = document.body.classList.toggle("nav-open");
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
      return;
    }
    // a list row with data-href opens as a whole (its own links and buttons keep their job)
    var row = ev.target.closest("tr[data-href]");
    if (row && !ev.target.closest("a, button, input, select, label")) {
      window.location.href = row.getAttribute("data-href");
      return;
    }
    var add = ev.target.closest("[data-add-row]");
    if (add) {
      var name = add.getAttribute("data-add-row");
      var tbody = document.querySelector('table[data-table="' + name + '"] tbody');
      var last = tbody.querySelector("tr[data-row]:last-child");
      var row = last.cloneNode(true);
      Array.prototype.forEach.call(row.querySelectorAll("input"), function (i) { i.value = ""; });
      Array.prototype.forEach.call(row.querySelectorAll(".field-error"), function (e) { e.remove(); });
      Array.prototype.forEach.call(row.querySelectorAll(".has-error"), function (e) { e.classList.remove("has-error"); });
      tbody.appendChild(row);
      renumber(tbody, name);
      return;
    }
    var remove = ev.target.closest("[data-remove-row]");
    if (remove) {
      var tb = remove.closest("tbody"), table = remove.closest("table");
      if (tb.querySelectorAll("tr[data-row]").length > 1) { remove.closest("tr").remove(); }
      else { Array.prototype.forEach.call(tb.querySelectorAll("input"), function (i) { i.value = ""; }); }
      renumber(tb, table.getAttribute("data-table"));
      return;
    }
    var detach = ev.target.closest("[data-remove-attachment]");
    if (detach) { detach.closest("li").remove(); }
  });
})();
// After a submit the server refused, bring the first field with an error into view and focus it.
(function () {
  var first = document.querySelector(".taskform .field-error");
  if (!first) { return; }
  var holder = first.closest("td, .field");
  var input = holder && holder.querySelector("input:not([type=hidden]), select, textarea");
  (input || first).scrollIntoView({ block: "center" });
  if (input) { input.focus({ preventScroll: true }); }
})();


// Forms that forgive: each field is checked as it is left (the rules the page carries from the
// form's JSON Schema; the server stays the judge), a draft is saved by itself while the user types,
// and leaving with unsaved changes asks first.
(function () {
  var form = document.querySelector("form.taskform");
  if (!form) { return; }
  var dirty = false, submitting = false, saving = false;
  var status = document.getElementById("autosave-status");

  function problem(input) {
    var value = input.value;
    if (input.required && value.trim() === "") { return form.dataset.msgRequired; }
    if (value === "") { return ""; }
    if (input.dataset.pattern && !new RegExp(input.dataset.pattern).test(value)) { return form.dataset.msgPattern; }
    if (input.minLength > 0 && value.length < input.minLength) { return form.dataset.msgShort.replace("{n}", input.minLength); }
    if (!input.checkValidity()) { return input.validationMessage; }
    return "";
  }

  function check(input) {
    var holder = input.closest(".field, td");
    if (!holder || input.type === "file" || input.type === "hidden") { return; }
    var shown = holder.querySelector(".field-error.live");
    var message = problem(input);
    if (message && !shown) {
      shown = document.createElement("span");
      shown.className = "field-error live";
      input.insertAdjacentElement("afterend", shown);
    }
    if (shown) { shown.textContent = message; if (!message) { shown.remove(); } }
    holder.classList.toggle("has-error", !!message);
  }

  form.addEventListener("focusout", function (ev) {
    if (ev.target.matches("input, textarea, select")) { check(ev.target); }
  });
  form.addEventListener("input", function () { dirty = true; });
  form.addEventListener("change", function () { dirty = true; });
  form.addEventListener("submit", function () { submitting = true; });
  window.addEventListener("beforeunload", function (ev) {
    if (dirty && !submitting) { ev.preventDefault(); ev.returnValue = ""; }
  });

  function hasFiles() {
    return Array.prototype.some.call(form.querySelectorAll('input[type="file"]'), function (i) { return i.files.length; });
  }

  function autosave() {
    if (!dirty || submitting || saving || !form.querySelector('[value="draft"]') || hasFiles()) { return; }
    saving = true;
    var body = new FormData(form);
    body.set("_action", "draft");
    dirty = false;
    fetch(form.action || window.location.href, { method: "POST", body: body, credentials: "same-origin" })
      .then(function (response) { return response.text(); })
      .then(function (html) {
        // the saved draft moved the task's version on: keep submitting against the new one
        var page = new DOMParser().parseFromString(html, "text/html");
        var version = page.querySelector('form.taskform input[name="_version"]');
        if (version) { form.querySelector('input[name="_version"]').value = version.value; }
        if (status) { status.textContent = form.dataset.msgSaved + " " + new Date().toLocaleTimeString(); }
      })
      .catch(function () { dirty = true; })
      .finally(function () { saving = false; });
  }
  // a start form has no case to save a draft on yet: it saves only when the user asks
  if (form.dataset.autosaveSeconds) { window.setInterval(autosave, Number(form.dataset.autosaveSeconds) * 1000); }
})();

// A directory too large to send with the page (over 200 people) is filled as one types, from the
// people search: the display name, unit and groups of each match, as the page's own list shows them.
(function () {
  var directory = document.querySelector("datalist[data-people-search]");
  if (!directory) { return; }
  var timer = null, asked = "";
  function fill(people) {
    directory.textContent = "";
    people.forEach(function (p) {
      var option = document.createElement("option");
      option.value = p.username;
      option.dataset.name = p.display_name;
      option.textContent = [p.display_name].concat(p.unit ? [p.unit] : [], p.groups.map(function (g) { return g.name; })).join(" · ");
      directory.appendChild(option);
    });
  }
  function search(text) {
    if (text === asked || text.length < 1) { return; }
    asked = text;
    fetch(directory.dataset.peopleSearch + "?q=" + encodeURIComponent(text), {credentials: "same-origin"})
      .then(function (r) { return r.ok ? r.json() : []; })
      .then(function (people) { if (asked === text) { fill(people); } })
      .catch(function () { asked = ""; });
  }
  Array.prototype.forEach.call(document.querySelectorAll('input[list="' + directory.id + '"]'), function (input) {
    input.addEventListener("input", function (ev) {
      if (ev.inputType === "insertReplacementText" || !ev.inputType) { return; }   // a choice, not typing
      window.clearTimeout(timer);
      timer = window.setTimeout(function () { search(input.value.trim()); }, 200);
    });
  });
})();

// The people picker for several people (抄送): a choice from the directory becomes a chip with the
// person's display name, posting their user name; × removes it. Typed names still post as text.
(function () {
  Array.prototype.forEach.call(document.querySelectorAll("input[data-people-picker]"), function (input) {
    var list = document.getElementById(input.dataset.peoplePicker);
    var directory = document.getElementById(input.getAttribute("list"));
    if (!list || !directory) { return; }
    function pick() {
      var value = input.value.trim();
      var option = Array.prototype.find.call(directory.options, function (o) { return o.value === value; });
      if (!option) { return; }
      input.value = "";
      if (list.querySelector('li[data-user="' + CSS.escape(value) + '"]')) { return; }
      var item = document.createElement("li");
      item.dataset.user = value;
      var hidden = document.createElement("input");
      hidden.type = "hidden"; hidden.name = "user"; hidden.value = value;
      var remove = document.createElement("button");
      remove.type = "button"; remove.className = "link"; remove.textContent = "×";
      remove.setAttribute("data-unpick", ""); remove.setAttribute("aria-label", list.dataset.removeLabel || "×");
      item.appendChild(hidden);
      item.appendChild(document.createTextNode((option.dataset.name || value) + " "));
      item.appendChild(remove);
      list.appendChild(item);
    }
    input.addEventListener("change", pick);
    input.addEventListener("input", function (ev) {
      // choosing from the list fires an input event without a key (Chromium: insertReplacementText)
      if (!ev.inputType || ev.inputType === "insertReplacementText") { pick(); }
    });
    list.addEventListener("click", function (ev) {
      if (ev.target.matches("[data-unpick]")) { ev.target.closest("li").remove(); }
    });
  });
})();
