// Small behaviours without inline scripts (the CSP forbids them).
document.addEventListener("change", function (ev) {
  if (ev.target.classList && ev.target.classList.contains("dj-autosubmit")) ev.target.form.submit();
});
document.addEventListener("DOMContentLoaded", function () {
  var el = document.getElementById("dj-chart-data");
  if (!el || !window.echarts) return;
  var data = JSON.parse(el.textContent);
  Object.keys(data).forEach(function (key) {
    var box = document.getElementById("chart-" + key);
    if (!box) return;
    var chart = window.echarts.init(box);
    chart.setOption({
      tooltip: { trigger: "item" },
      series: [{ type: "pie", radius: ["35%", "65%"], label: { show: false }, data: data[key].items.filter(function (d) { return d.value > 0; }) }]
    });
  });
});
// A form marked data-dj-swap-400 shows the server's 400 answer (the refusal and its reason) in its target.
document.addEventListener("htmx:beforeSwap", function (ev) {
  var cfg = ev.detail.requestConfig || {};
  var elt = cfg.elt || ev.detail.elt;  // the element that made the request (detail.elt may be the target)
  if (ev.detail.xhr.status === 400 && elt && elt.closest && elt.closest("[data-dj-swap-400]")) {
    ev.detail.shouldSwap = true;
    ev.detail.isError = false;
  }
});
