// A wide table or chart scrolls inside its card (juri.css) instead of the whole page: such a
// region must be reachable by keyboard so it can be scrolled without a mouse (WCAG 2.1.1, axe
// "scrollable-region-focusable"). Whatever scrolls sideways gets tabindex="0" (a card also a
// region named by its heading); it is taken off again when a wider window no longer scrolls.
(function () {
  "use strict";
  function scrolls(el) {
    var overflow = window.getComputedStyle(el).overflowX;
    return (overflow === "auto" || overflow === "scroll") && el.scrollWidth > el.clientWidth + 1;
  }

  function mark() {
    document.querySelectorAll("main .card, main table").forEach(function (el) {
      var added = el.hasAttribute("data-scroll-focus");
      if (scrolls(el)) {
        if (added || el.hasAttribute("tabindex")) { return; }
        el.setAttribute("tabindex", "0");
        el.setAttribute("data-scroll-focus", "");
        var heading = el.querySelector("h2, h3");
        if (el.tagName !== "TABLE" && heading && !el.hasAttribute("role")) {
          el.setAttribute("role", "region");
          el.setAttribute("aria-label", heading.textContent.trim());
          el.setAttribute("data-scroll-role", "");
        }
      } else if (added) {
        el.removeAttribute("tabindex");
        el.removeAttribute("data-scroll-focus");
        if (el.hasAttribute("data-scroll-role")) {
          el.removeAttribute("role");
          el.removeAttribute("aria-label");
          el.removeAttribute("data-scroll-role");
        }
      }
    });
  }

  var timer = null;
  window.addEventListener("resize", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(mark, 150);
  });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", mark);
  } else {
    mark();
  }
})();
