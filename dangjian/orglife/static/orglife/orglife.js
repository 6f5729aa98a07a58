// Org life: the venue page refreshes its QR code and sign-in list; print buttons.
// (No inline scripts: the CSP allows only files from 'self'.)
(function () {
  function refresh(box) {
    var url = box.getAttribute("data-live-url");
    fetch(url, { credentials: "same-origin", headers: { "HX-Request": "true" }, cache: "no-store" })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) { if (html !== null) box.innerHTML = html; })
      .catch(function () { /* keep the last code; the next tick retries */ });
  }
  document.addEventListener("DOMContentLoaded", function () {
    var box = document.getElementById("venue-live");
    if (box) {
      var seconds = parseInt(box.getAttribute("data-refresh-seconds") || "10", 10);
      setInterval(function () { refresh(box); }, seconds * 1000);
    }
  });
  document.addEventListener("click", function (ev) {
    if (ev.target.classList && ev.target.classList.contains("dj-print")) window.print();
  });
})();
