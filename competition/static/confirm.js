// Confirmation before a destructive action, without inline script (CSP-safe): a form, or a
// submit button, carrying data-confirm="question" asks the question first, and nothing is
// sent unless the user agrees. The server does not rely on it: the action stays a POST with
// its CSRF token, so without JavaScript the button simply acts.
(function () {
  "use strict";
  function ask(message, event) {
    if (message && !window.confirm(message)) {
      event.preventDefault();
      event.stopImmediatePropagation();
      return false;
    }
    return true;
  }
  // A button's own question (one form, several actions: revoke or reissue).
  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-confirm]") : null;
    if (!button || button.tagName === "FORM" || !button.form) { return; }
    if (ask(button.getAttribute("data-confirm"), event)) { button.form.dataset.confirmed = "1"; }
  }, true);
  // The form's question, asked once per submission (not again after a button's).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.dataset.confirmed === "1") {
      delete form.dataset.confirmed;
      return;
    }
    ask(form.getAttribute("data-confirm"), event);
  }, true);
})();
