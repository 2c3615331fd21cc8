// The judge's running weighted total on the score sheet (no inline script: CSP-safe).
// Each score input carries data-weight (percent), data-min and data-max (the rubric's scale)
// and data-name (the criterion); the total is the weighted mean of the valid scores entered
// so far, on the rubric's scale, as the server computes it once complete, written with the
// page language's decimal separator (8,60 in Indonesian). A score is typed with a decimal
// comma or point ("78,5" or "78.5"), as the server reads it; anything else, or a score off
// the scale, is left out of the total and named below it, never extrapolated from.
(function () {
  "use strict";
  var form = document.getElementById("sheet-form");
  var out = document.getElementById("running-total");
  var count = document.getElementById("running-count");
  var invalid = document.getElementById("running-invalid");
  var mirror = document.getElementById("switch-total");  // the sticky bar's copy of the total
  if (!form || !out) { return; }
  var inputs = form.querySelectorAll("input[data-weight]");
  var NUMBER = /^[+-]?(\d+([.,]\d*)?|[.,]\d+)$/;

  // The typed score as a number, null when empty, NaN when not a valid score.
  function parse(input) {
    var text = input.value.trim();
    if (text === "") { return null; }
    if (!NUMBER.test(text)) { return NaN; }
    var value = parseFloat(text.replace(",", "."));
    var lo = parseFloat(input.dataset.min), hi = parseFloat(input.dataset.max);
    if ((!isNaN(lo) && value < lo) || (!isNaN(hi) && value > hi)) { return NaN; }
    return value;
  }

  function update() {
    var sum = 0, weight = 0, filled = 0, wrong = [];
    inputs.forEach(function (input) {
      var value = parse(input);
      var w = parseFloat(input.dataset.weight);
      if (value === null || isNaN(w)) {
        input.removeAttribute("aria-invalid");
        return;
      }
      if (isNaN(value)) {
        input.setAttribute("aria-invalid", "true");
        wrong.push((input.dataset.name || input.name) + " (" + input.value.trim() + ")");
        return;
      }
      input.removeAttribute("aria-invalid");
      sum += value * w;
      weight += w;
      filled += 1;
    });
    out.textContent = weight > 0 ? (sum / weight).toLocaleString(
      document.documentElement.lang || undefined,
      { minimumFractionDigits: 2, maximumFractionDigits: 2 }) : "–";
    if (mirror) { mirror.textContent = out.textContent; }
    if (count) {
      count.textContent = "(" + filled + " " + out.dataset.of + " " + inputs.length + " " +
        out.dataset.criteria + ")";
    }
    if (invalid) {
      invalid.hidden = wrong.length === 0;
      invalid.textContent = wrong.length ? invalid.dataset.ignored + " " + wrong.join(", ") : "";
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
