// Behaviour shared by every page. The Content-Security-Policy forbids inline handlers
// (onchange=, onclick=), so templates mark elements with data attributes instead.
(function () {
  "use strict";

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
})();
