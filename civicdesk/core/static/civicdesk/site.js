// Behaviour shared by every page. The Content-Security-Policy forbids inline handlers
// (onchange=, onclick=), so templates mark elements with data attributes instead. Every page
// works without this file; it only saves clicks.
(function () {
  "use strict";

  document.documentElement.classList.add("js");

  // <select data-autosubmit>: submit its form as soon as a choice is made (language switch).
  document.addEventListener("change", function (event) {
    var field = event.target;
    if (field instanceof HTMLSelectElement && field.hasAttribute("data-autosubmit") && field.form) {
      if (typeof field.form.requestSubmit === "function") {
        field.form.requestSubmit();
      } else {
        field.form.submit();
      }
    }
  });

  // <button data-print>: open the browser's print dialog (posters, invitations).
  document.addEventListener("click", function (event) {
    var target = event.target instanceof Element ? event.target.closest("[data-print]") : null;
    if (target) {
      event.preventDefault();
      window.print();
    }
  });

  // The site menu (<details data-site-menu>) is one button on a phone; on a wide screen its
  // links sit in the header bar, so it stays open there.
  var wide = window.matchMedia("(min-width: 64rem)");
  function fitMenu() {
    document.querySelectorAll("[data-site-menu]").forEach(function (menu) {
      menu.open = wide.matches;
    });
  }
  fitMenu();
  if (typeof wide.addEventListener === "function") {
    wide.addEventListener("change", fitMenu);
  }

  // Menu groups (<details data-nav-group>): one open at a time; a click elsewhere or Escape
  // closes them.
  function closeGroups(except) {
    document.querySelectorAll("[data-nav-group][open]").forEach(function (group) {
      if (group !== except) {
        group.open = false;
      }
    });
  }
  document.addEventListener("toggle", function (event) {
    var group = event.target;
    if (group instanceof HTMLDetailsElement && group.hasAttribute("data-nav-group") && group.open) {
      closeGroups(group);
    }
  }, true);
  document.addEventListener("click", function (event) {
    var inside = event.target instanceof Element ? event.target.closest("[data-nav-group]") : null;
    if (wide.matches) {
      closeGroups(inside);
    }
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") {
      return;
    }
    var open = document.querySelector("[data-nav-group][open]");
    if (open) {
      open.open = false;
      var summary = open.querySelector("summary");
      if (summary) {
        summary.focus();
      }
    }
  });

  // File pickers (<span data-file-picker>): show the chosen files' names beside the button.
  document.addEventListener("change", function (event) {
    var input = event.target;
    if (!(input instanceof HTMLInputElement) || input.type !== "file") {
      return;
    }
    var picker = input.closest("[data-file-picker]");
    var names = picker ? picker.querySelector(".file-picker__names") : null;
    if (!names) {
      return;
    }
    var chosen = Array.prototype.map.call(input.files || [], function (file) {
      return file.name;
    });
    names.textContent = chosen.length
      ? chosen.join(picker.getAttribute("data-separator") || ", ")
      : picker.getAttribute("data-none") || "";
    picker.classList.toggle("has-files", chosen.length > 0);
  });
})();
