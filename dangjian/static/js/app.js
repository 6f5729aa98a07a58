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
