// Question form: show only the fields that fit the chosen kind of question.
(function () {
  "use strict";
  function start() {
    var form = document.querySelector("[data-question-form]");
    if (!form) return;
    var kind = form.querySelector("[name=kind]");
    var groups = {
      options: ["options"],
      scale: ["scale_min", "scale_max", "scale_min_label", "scale_max_label"]
    };
    function update() {
      var value = kind.value;
      var show = { options: value === "single" || value === "multiple", scale: value === "scale" };
      Object.keys(groups).forEach(function (group) {
        groups[group].forEach(function (name) {
          var field = document.getElementById("field-" + name);
          if (field) field.hidden = !show[group];
        });
      });
    }
    kind.addEventListener("change", update);
    update();
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start); else start();
})();
