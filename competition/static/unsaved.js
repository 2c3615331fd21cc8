/* Unsaved-changes warning for the forms marked data-unsaved-warning (the OPD's proposal, the
   judge's score sheet): once a field is changed, leaving the page asks the browser's
   "Leave site?" question, until the form is submitted (save or send). The proposal's autosave
   (proposal.js) clears the flag after a successful save by dispatching "juri:saved".
   A static file because the Content-Security-Policy forbids inline scripts. */
(function () {
  "use strict";
  document.querySelectorAll("form[data-unsaved-warning]").forEach(function (form) {
    function mark() { form.dataset.dirty = "1"; }
    function clear() { delete form.dataset.dirty; }
    form.addEventListener("input", mark);
    form.addEventListener("change", mark);
    form.addEventListener("submit", clear);
    form.addEventListener("juri:saved", clear);
    window.addEventListener("beforeunload", function (event) {
      if (form.dataset.dirty !== "1") { return; }
      event.preventDefault();
      event.returnValue = "";  // older browsers need a value to ask
    });
  });
})();
