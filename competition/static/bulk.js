// Shows the progress of the certificate ZIP, built by a background job: polls its state.
(function () {
  "use strict";
  var box = document.getElementById("bulk");
  if (!box || box.dataset.running !== "1") { return; }
  var bar = document.getElementById("bulk-progress");
  var count = document.getElementById("bulk-count");
  var total = document.getElementById("bulk-total");
  var waiting = document.getElementById("bulk-waiting");
  var done = document.getElementById("bulk-done");
  var failed = document.getElementById("bulk-failed");
  var failures = 0;
  function poll() {
    fetch(box.dataset.statusUrl, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (r) {
        if (!r.ok) { throw new Error(r.status); }
        return r.json();
      }).then(function (s) {
        failures = 0;
        bar.max = s.total; bar.value = s.done; count.textContent = s.done; total.textContent = s.total;
        if (s.finished) { waiting.hidden = true; done.hidden = false; }
        else if (s.failed) { waiting.hidden = true; failed.hidden = false; }
        else { setTimeout(poll, 1000); }
      }).catch(function () {
        failures += 1;
        if (failures < 10) { setTimeout(poll, 1000 * failures); }
      });
  }
  poll();
})();
