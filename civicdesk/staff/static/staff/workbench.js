// Staff workbench: the case page's action bar, "next case" after the one-click suggestion
// buttons, and the batch actions of a queue. No inline handlers (the CSP forbids them).
(function () {
  "use strict";

  // Action bar (phone): open the chosen action's form and bring it into view.
  function openAction(id) {
    var target = document.getElementById(id);
    if (!target) return false;
    if (target.tagName === "DETAILS") target.open = true;
    target.scrollIntoView({ block: "start" });
    var field = target.querySelector("textarea, select, input:not([type=hidden])");
    if (field) field.focus({ preventScroll: true });
    return true;
  }
  document.addEventListener("click", function (event) {
    var link = event.target instanceof Element ? event.target.closest("[data-open-action]") : null;
    if (link && openAction(link.getAttribute("data-open-action"))) {
      event.preventDefault();
      if (history.replaceState) history.replaceState(null, "", "#" + link.getAttribute("data-open-action"));
    }
  });
  if (location.hash.indexOf("#action-") === 0) openAction(location.hash.slice(1));

  // Forms loaded into the case page later (the triage panel's one-click suggestions) carry
  // the queue the clerk came from, so that they too go on to the queue's next case.
  var bench = document.querySelector("[data-queue]");
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!bench || !(form instanceof HTMLFormElement) || form.method.toLowerCase() !== "post") return;
    if (form.querySelector("[name=queue]")) return;
    if (form.getAttribute("action").indexOf(bench.getAttribute("data-case-actions")) !== 0) return;
    var input = document.createElement("input");
    input.type = "hidden";
    input.name = "queue";
    input.value = bench.getAttribute("data-queue");
    form.appendChild(input);
  }, true);

  // Batch actions: choose every case of the page, count the chosen, show the action's fields.
  function picks() { return document.querySelectorAll("input[name=cases][form=batch-form]"); }
  function syncBatch() {
    var chosen = Array.prototype.filter.call(picks(), function (box) { return box.checked; }).length;
    var label = document.getElementById("batch-chosen");
    if (label) label.textContent = chosen ? label.getAttribute("data-template").replace("%(count)s", chosen) : "";
    var action = document.getElementById("batch_action");
    document.querySelectorAll("[data-batch-for]").forEach(function (field) {
      field.hidden = action ? field.getAttribute("data-batch-for") !== action.value : false;
    });
    if (chosen) {
      var panel = document.getElementById("batch-panel");
      if (panel && !panel.open && !panel.dataset.touched) { panel.open = true; panel.dataset.touched = "1"; }
    }
  }
  document.addEventListener("change", function (event) {
    var box = event.target;
    if (!(box instanceof HTMLInputElement || box instanceof HTMLSelectElement)) return;
    if (box.hasAttribute("data-select-all")) {
      picks().forEach(function (pick) { pick.checked = box.checked; });
    }
    if (box.name === "cases" || box.hasAttribute("data-select-all") || box.id === "batch_action") syncBatch();
  });
  document.body.addEventListener("htmx:afterSwap", syncBatch);
  syncBatch();
})();
