// Drives the bulk certificate ZIP: posts one step after another and shows the progress.
(function () {
  "use strict";
  var box = document.getElementById("bulk");
  if (!box || box.dataset.running !== "1") { return; }
  var bar = document.getElementById("bulk-progress");
  var count = document.getElementById("bulk-count");
  var done = document.getElementById("bulk-done");
  var failures = 0;
  function step() {
    fetch(box.dataset.stepUrl, {
      method: "POST", credentials: "same-origin",
      headers: {"Accept": "application/json", "X-CSRFToken": box.dataset.csrf}
    }).then(function (r) {
      if (!r.ok) { throw new Error(r.status); }
      return r.json();
    }).then(function (s) {
      failures = 0;
      bar.max = s.total; bar.value = s.done; count.textContent = s.done;
      if (s.finished) { done.hidden = false; } else { step(); }
    }).catch(function () {
      failures += 1;
      if (failures < 5) { setTimeout(step, 1000 * failures); }
    });
  }
  step();
})();
