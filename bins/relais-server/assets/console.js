// Relais console: small enhancements; every page works without this file.
(function () {
  "use strict";

  function enhance(root) {
    // Preference forms submit as soon as a choice is made.
    root.querySelectorAll("form.auto-submit").forEach(function (form) {
      var button = form.querySelector("button[type=submit]");
      if (button) { button.hidden = true; }
      form.querySelectorAll("select").forEach(function (select) {
        select.addEventListener("change", function () { form.submit(); });
      });
    });
    // Copy buttons: <button data-copy="id-of-input" hidden>.
    root.querySelectorAll("button[data-copy]").forEach(function (button) {
      var target = document.getElementById(button.getAttribute("data-copy"));
      if (!target || !navigator.clipboard) { return; }
      button.hidden = false;
      button.addEventListener("click", function () {
        navigator.clipboard.writeText(target.value || target.textContent).then(function () {
          var done = button.getAttribute("data-copied");
          if (done) { button.textContent = done; }
        });
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () { enhance(document); });
  document.addEventListener("htmx:afterSettle", function (event) { enhance(event.target); });
})();
