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

  // Autosave (edit page only: a new proposal is created by its first explicit save). Every
  // minute, when something changed, the form is posted as "Save draft" without its files.
  var form = document.querySelector("form[data-autosave]");
  if (form && window.fetch && window.FormData) {
    var dirty = false;
    var status = document.getElementById("autosave-status");
    form.addEventListener("input", function () { dirty = true; });
    form.addEventListener("submit", function () { dirty = false; });
    setInterval(function () {
      if (!dirty) { return; }
      dirty = false;
      var data = new FormData(form);
      form.querySelectorAll("input[type=file]").forEach(function (f) { data.delete(f.name); });
      data.delete("send");
      data.set("save", "1");
      fetch(form.action, { method: "POST", body: data, credentials: "same-origin" })
        .then(function (r) {
          if (!r.ok) { throw new Error(r.status); }
          // Nothing typed since this save started: no unsaved changes (unsaved.js), except
          // chosen files, which autosave does not send.
          var files = Array.prototype.some.call(form.querySelectorAll("input[type=file]"),
            function (f) { return f.files && f.files.length > 0; });
          if (!dirty && !files) { form.dispatchEvent(new CustomEvent("juri:saved")); }
          status.textContent = form.dataset.autosave + " " +
            new Date().toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
        })
        .catch(function () { dirty = true; status.textContent = form.dataset.autosaveFailed; });
    }, 60000);
  }

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
