// The print button of the record's print view (the CSP forbids inline handlers).
document.addEventListener("DOMContentLoaded", () => {
  for (const btn of document.querySelectorAll("[data-print]")) {
    btn.addEventListener("click", () => window.print());
  }
});
