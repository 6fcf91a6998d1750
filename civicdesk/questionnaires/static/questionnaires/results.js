// Questionnaire results: one horizontal bar chart per choice or scale question (ECharts).
// The numbers come from json_script blocks and are also in the table under each chart.
(function () {
  "use strict";
  function start() {
    if (!window.echarts) return;
    var charts = [];
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      var source = document.getElementById(el.dataset.chart);
      if (!source) return;
      var spec = JSON.parse(source.textContent);
      var chart = window.echarts.init(el, null, { renderer: "svg" });
      chart.setOption({
        color: ["#2b6cb0"],
        tooltip: { trigger: "axis", confine: true },
        grid: { left: 8, right: 24, top: 8, bottom: 8, containLabel: true },
        xAxis: { type: "value", minInterval: 1 },
        // Horizontal bars keep long Chinese option labels readable on a phone.
        yAxis: { type: "category", inverse: true, data: spec.labels,
          axisLabel: { width: 140, overflow: "truncate" } },
        series: [{ type: "bar", data: spec.values, label: { show: true, position: "right" } }]
      });
      charts.push(chart);
    });
    window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start); else start();
})();
