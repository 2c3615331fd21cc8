// The judge's running weighted total on the score sheet (no inline script: CSP-safe).
// Each score input carries data-weight (percent); the total is the weighted mean of the
// scores entered so far, on the rubric's scale, as the server computes it once complete,
// written with the page language's decimal separator (8,60 in Indonesian).
(function () {
  "use strict";
  var form = document.getElementById("sheet-form");
  var out = document.getElementById("running-total");
  var count = document.getElementById("running-count");
  if (!form || !out) { return; }
  var inputs = form.querySelectorAll("input[data-weight]");

  function update() {
    var sum = 0, weight = 0, filled = 0;
    inputs.forEach(function (input) {
      var value = parseFloat(input.value.replace(",", "."));
      var w = parseFloat(input.dataset.weight);
      if (!isNaN(value) && !isNaN(w)) {
        sum += value * w;
        weight += w;
        filled += 1;
      }
    });
    out.textContent = weight > 0 ? (sum / weight).toLocaleString(
      document.documentElement.lang || undefined,
      { minimumFractionDigits: 2, maximumFractionDigits: 2 }) : "–";
    if (count) {
      count.textContent = "(" + filled + " " + out.dataset.of + " " + inputs.length + " " +
        out.dataset.criteria + ")";
    }
  }

  inputs.forEach(function (input) { input.addEventListener("input", update); });
  update();

  // Keyboard-friendly scoring: Enter in a score goes to the next criterion's score (the last
  // one goes to the save button) instead of sending the form half-filled; Ctrl+S (Cmd+S on a
  // Mac) saves the draft instead of opening the browser's "save page" dialog.
  var list = Array.prototype.slice.call(inputs);
  list.forEach(function (input, i) {
    input.addEventListener("keydown", function (event) {
      if (event.key !== "Enter" || event.isComposing) { return; }
      event.preventDefault();
      var next = list[i + 1] || document.getElementById("save");
      if (next) { next.focus(); }
    });
  });
  document.addEventListener("keydown", function (event) {
    if ((event.ctrlKey || event.metaKey) && (event.key === "s" || event.key === "S")) {
      var save = document.getElementById("save");
      if (save && !save.disabled) {
        event.preventDefault();
        save.click();
      }
    }
  });
})();
