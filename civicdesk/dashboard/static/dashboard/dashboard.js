// Dashboard charts (ECharts) and map (Leaflet). Data comes from json_script blocks, so the
// page needs no inline script; every chart's numbers are also in a table beside it.
(function () {
  "use strict";
  function data(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }
  var palette = ["#2b6cb0", "#c05621", "#2f855a", "#b7791f", "#6b46c1", "#c53030", "#2c7a7b", "#718096"];

  function option(spec) {
    var tooltip = { trigger: spec.kind === "pie" ? "item" : "axis", confine: true };
    if (spec.kind === "pie") {
      return {
        color: palette, tooltip: tooltip, legend: { type: "scroll", bottom: 0 },
        series: [{ type: "pie", radius: ["35%", "65%"], center: ["50%", "45%"],
          data: spec.labels.map(function (label, i) { return { name: label, value: spec.values[i] }; }) }]
      };
    }
    if (spec.kind === "trend") {
      return {
        color: palette, tooltip: tooltip, legend: { bottom: 0 },
        grid: { left: 40, right: 16, top: 16, bottom: 56 },
        xAxis: { type: "category", data: spec.labels },
        yAxis: { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } },
        series: spec.series.map(function (s) { return { name: s.name, type: "line", data: s.values, connectNulls: false }; })
      };
    }
    if (spec.kind === "line") {
      return {
        color: palette, tooltip: tooltip, grid: { left: 40, right: 16, top: 16, bottom: 40 },
        xAxis: { type: "category", data: spec.labels }, yAxis: { type: "value", minInterval: 1 },
        series: [{ type: "line", areaStyle: {}, data: spec.values, symbolSize: 6 }]
      };
    }
    // Horizontal bars read best on a phone: long Chinese labels stay on one line.
    return {
      color: palette, tooltip: tooltip, grid: { left: 8, right: 24, top: 8, bottom: 8, containLabel: true },
      xAxis: { type: "value", minInterval: 1 },
      yAxis: { type: "category", inverse: true, data: spec.labels, axisLabel: { width: 120, overflow: "truncate" } },
      series: [{ type: "bar", data: spec.values }]
    };
  }

  function charts() {
    if (!window.echarts) return;
    var made = [];
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      var spec = data(el.dataset.chart);
      if (!spec) return;
      var chart = window.echarts.init(el, null, { renderer: "svg" });
      chart.setOption(option(spec));
      chart.on("click", function (params) {
        var url = spec.urls && spec.urls[params.dataIndex];
        if (url) window.location.href = url;
      });
      made.push(chart);
    });
    window.addEventListener("resize", function () { made.forEach(function (c) { c.resize(); }); });
  }

  function map() {
    var el = document.getElementById("dashboard-map");
    // The configured tile provider (civicdesk/map.js), which also shifts WGS-84 squares for
    // a map drawn in GCJ-02.
    var made = el && window.civicdeskMap ? window.civicdeskMap.create(el) : null;
    if (!made) { if (el) el.hidden = true; return; }
    var m = made.map.setView(made.toMap(made.center), 12);
    fetch(el.dataset.squaresUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : { squares: [] }; })
      .then(function (body) { draw(m, el, body.squares, made.toMap); });
  }

  function draw(m, el, squares, toMap) {
    var bounds = [];
    squares.forEach(function (sq) {
      var link = document.createElement("a");
      link.href = sq.url;
      link.textContent = sq.count + " " + el.dataset.casesLabel;
      var radius = 5 + 3 * Math.sqrt(sq.count);
      var point = toMap([sq.lat, sq.lng]);
      window.L.circleMarker(point, { radius: Math.min(radius, 30), weight: 1, fillOpacity: 0.5 })
        .bindPopup(link).addTo(m);
      bounds.push(point);
    });
    if (bounds.length) m.fitBounds(bounds, { maxZoom: 15, padding: [20, 20] });
  }

  function start() { charts(); map(); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start); else start();
})();
