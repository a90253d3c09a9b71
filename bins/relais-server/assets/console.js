// Relais console: small enhancements; every page works without this file.
(function () {
  "use strict";

  function enhance(root) {
    // Preference forms keep their Apply button on purpose: a select that
    // reloads the page on change surprises keyboard users (WCAG 3.2.2).
    //
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
