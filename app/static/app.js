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
