/* Proposal form: a live word counter under every section with a word limit, and the
   replication-only sections shown only when the replication group is chosen.
   A static file because the Content-Security-Policy forbids inline scripts; the server checks
   the limits again, so this is only a convenience. */
(function () {
  "use strict";
  var labels = document.getElementById("word-count-label");
  var wordsText = labels ? labels.dataset.words : "words";
  var overText = labels ? labels.dataset.over : "over the limit";

  function countWords(text) {
    var trimmed = text.trim();
    return trimmed ? trimmed.split(/\s+/).length : 0;
  }

  document.querySelectorAll("textarea[data-word-limit]").forEach(function (area) {
    var limit = parseInt(area.dataset.wordLimit, 10);
    var counter = document.createElement("small");
    counter.className = "word-count";
    counter.setAttribute("aria-live", "polite");
    area.insertAdjacentElement("afterend", counter);
    function update() {
      var n = countWords(area.value);
      counter.textContent = n + " / " + limit + " " + wordsText + (n > limit ? " (" + overText + ")" : "");
      counter.classList.toggle("over", n > limit);
    }
    area.addEventListener("input", update);
    update();
  });

  var group = document.querySelector("select[name=group]");
  if (group) {
    var toggle = function () {
      document.querySelectorAll(".replication-only").forEach(function (el) {
        el.hidden = el.dataset.groups.split(" ").indexOf(group.value) < 0;
      });
    };
    group.addEventListener("change", toggle);
    toggle();
  }
})();
