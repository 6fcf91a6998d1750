// Knowledge base panel beside the answer box: "Insert into the answer" appends the entry's
// text (kept in a <template>, so it is never parsed as markup) to the answer textarea. htmx
// records the use on the same click (hx-post on the button). No inline handlers: the
// Content-Security-Policy forbids them.
(function () {
  "use strict";

  function answerBox() {
    return document.querySelector("#answer-text textarea");
  }

  document.addEventListener("click", function (event) {
    var button = event.target instanceof Element ? event.target.closest("[data-knowledge-insert]") : null;
    if (!button) {
      return;
    }
    var source = document.getElementById(button.getAttribute("data-knowledge-insert"));
    var box = answerBox();
    if (!source || !box) {
      return;
    }
    var text = source.content ? source.content.textContent : source.textContent;
    box.value = box.value.trim() ? box.value.replace(/\s+$/, "") + "\n\n" + text.trim() : text.trim();
    box.dispatchEvent(new Event("input", { bubbles: true }));
    var details = box.closest("details");
    if (details) {
      details.open = true;
    }
    box.focus();
  });
})();
