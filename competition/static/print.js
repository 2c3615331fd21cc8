// "Print" buttons (data-print): the Content-Security-Policy forbids javascript: links.
document.querySelectorAll("[data-print]").forEach(function (el) {
  el.addEventListener("click", function (event) {
    event.preventDefault();
    window.print();
  });
});
