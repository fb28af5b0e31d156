// vigil's console: a little behaviour on top of server-rendered pages.
// No inline scripts anywhere (the Content-Security-Policy forbids them):
// pages mark what they want with data- attributes.
"use strict";

// Tables with data-rows: j/k or the arrow keys move between rows, Enter
// opens the row's first link.
function keyboardRows(table) {
  const rows = () => Array.from(table.tBodies[0] ? table.tBodies[0].rows : []).filter((r) => !r.hidden);
  rows().forEach((r) => { r.tabIndex = -1; });
  table.addEventListener("keydown", (e) => {
    if (e.target.matches("input, select, textarea, button")) return;
    const all = rows();
    const i = all.indexOf(document.activeElement.closest("tr"));
    let next = -1;
    if (e.key === "j" || e.key === "ArrowDown") next = Math.min(i + 1, all.length - 1);
    if (e.key === "k" || e.key === "ArrowUp") next = Math.max(i - 1, 0);
    if (next >= 0 && all[next]) { all[next].focus(); e.preventDefault(); }
    if (e.key === "Enter" && i >= 0) {
      const a = all[i].querySelector("a[href]");
      if (a) { a.click(); e.preventDefault(); }
    }
  });
  if (rows()[0]) table.tabIndex = 0;
  table.addEventListener("focus", () => { const r = rows()[0]; if (r && document.activeElement === table) r.focus(); });
}

// A checkbox with data-select-all="NAME" checks every checkbox of that name.
function selectAll(box) {
  box.addEventListener("change", () => {
    document.querySelectorAll('input[type=checkbox][name="' + box.dataset.selectAll + '"]').forEach((c) => { c.checked = box.checked; });
  });
}

// A button with data-confirm asks before its form is sent.
function confirmFirst(button) {
  button.addEventListener("click", (e) => { if (!window.confirm(button.dataset.confirm)) e.preventDefault(); });
}

// A select with data-autosubmit sends its form when it changes.
function autosubmit(el) { el.addEventListener("change", () => el.form && el.form.requestSubmit()); }

// An input with data-filter="ID" hides, as one types, the rows of the
// table with that id that do not hold the text (the form still filters
// on the server when sent).
function filterRows(input) {
  const table = document.getElementById(input.dataset.filter);
  if (!table || !table.tBodies[0]) return;
  input.addEventListener("input", () => {
    const q = input.value.trim().toLowerCase();
    Array.from(table.tBodies[0].rows).forEach((r) => { r.hidden = q !== "" && !r.textContent.toLowerCase().includes(q); });
  });
}

document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("table[data-rows]").forEach(keyboardRows);
  document.querySelectorAll("[data-select-all]").forEach(selectAll);
  document.querySelectorAll("[data-confirm]").forEach(confirmFirst);
  document.querySelectorAll("[data-autosubmit]").forEach(autosubmit);
  document.querySelectorAll("input[data-filter]").forEach(filterRows);
});
