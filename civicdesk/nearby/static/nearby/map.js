// The public map of published reports: the configured tiles (civicdesk/map.js) and the
// server's grid clusters for the visible box and zoom (GET /api/v1/nearby/clusters). A
// number is several reports: tapping it zooms in; a single report opens a popup with its
// text, status, "me too" count and link. Texts are set as text, never as HTML.
(function () {
  "use strict";

  function start() {
    var wrap = document.querySelector("[data-clusters-url]");
    var el = document.getElementById("report-map");
    if (!wrap || !el || !window.civicdeskMap) return;
    var made = window.civicdeskMap.create(el);
    if (!made) return;
    var L = window.L;
    var map = made.map;
    var status = document.getElementById("report-map-status");
    var baseUrl = wrap.getAttribute("data-clusters-url");
    var layer = L.layerGroup().addTo(map);
    var pending = null;
    var timer = null;
    map.setView(made.toMap(made.center), 13);

    function label(name) { return wrap.getAttribute("data-label-" + name) || ""; }

    function wgsBox() {
      // The box as stored positions (WGS-84): its corners converted back from the map.
      var b = map.getBounds();
      var sw = made.fromMap(b.getSouthWest());
      var ne = made.fromMap(b.getNorthEast());
      function clamp(v, lo, hi) { return Math.max(lo, Math.min(hi, v)); }
      return {
        south: clamp(sw[0], -90, 90), west: clamp(sw[1], -180, 180),
        north: clamp(ne[0], -90, 90), east: clamp(ne[1], -180, 180)
      };
    }

    function popup(report) {
      var box = document.createElement("div");
      box.className = "nearby-popup";
      var meta = document.createElement("div");
      meta.className = "muted small";
      meta.textContent = report.status_label + (report.category ? " · " + report.category.name : "");
      var text = document.createElement("p");
      var words = report.description || "";
      text.textContent = words.length > 120 ? words.slice(0, 119) + "…" : words;
      var count = document.createElement("div");
      count.className = "small";
      count.textContent = label("metoo") + ": " + report.me_too;
      var link = document.createElement("a");
      link.href = report.url;
      link.textContent = label("open");
      box.appendChild(meta);
      box.appendChild(text);
      box.appendChild(count);
      box.appendChild(link);
      return box;
    }

    function draw(data) {
      layer.clearLayers();
      data.cells.forEach(function (cell) {
        var at = made.toMap([cell.latitude, cell.longitude]);
        if (cell.count === 1 && cell.report) {
          var dot = L.circleMarker(at, {
            radius: 9, weight: 2, color: "#fff", fillOpacity: 0.95,
            className: "nearby-dot nearby-dot--" + cell.report.status
          });
          dot.bindPopup(popup(cell.report));
          dot.addTo(layer);
          return;
        }
        var size = cell.count < 10 ? 34 : cell.count < 100 ? 40 : 48;
        var icon = L.divIcon({
          className: "nearby-cluster",
          html: "<span>" + String(cell.count) + "</span>",
          iconSize: [size, size]
        });
        var marker = L.marker(at, {
          icon: icon, keyboard: true, title: cell.count + " " + label("reports")
        });
        marker.on("click", function () {
          var south = made.toMap([cell.south, cell.west]);
          var north = made.toMap([cell.north, cell.east]);
          if (cell.south === cell.north && cell.west === cell.east) {
            map.setView(at, Math.min(map.getZoom() + 3, 19));
          } else {
            map.fitBounds([south, north], { padding: [40, 40], maxZoom: 19 });
          }
        });
        marker.addTo(layer);
      });
    }

    function load() {
      var box = wgsBox();
      var params = new URLSearchParams();
      Object.keys(box).forEach(function (key) { params.set(key, box[key].toFixed(6)); });
      params.set("zoom", String(Math.round(map.getZoom())));
      var url = baseUrl + (baseUrl.indexOf("?") === -1 ? "?" : "&") + params.toString();
      if (pending && pending.abort) pending.abort();
      pending = window.AbortController ? new AbortController() : null;
      fetch(url, { headers: { Accept: "application/json" }, signal: pending ? pending.signal : undefined })
        .then(function (response) {
          if (!response.ok) throw new Error(String(response.status));
          return response.json();
        })
        .then(function (data) {
          if (status) status.textContent = "";
          draw(data);
          wrap.setAttribute("data-loaded", String(data.total));
        })
        .catch(function (error) {
          if (error && error.name === "AbortError") return;
          if (status) status.textContent = label("error");
        });
    }

    map.on("moveend", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(load, 150);
    });
    load();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start); else start();
})();
