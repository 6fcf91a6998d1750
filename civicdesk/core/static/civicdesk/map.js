// Maps with the configured tile provider (civicdesk/core/maps.py): Leaflet with its layers,
// the GCJ-02 shift for providers drawn in it, and a clear message instead of a grey box
// when no tile can be loaded (offline, or the tile server is blocked or down).
//
// Positions are stored in WGS-84. On a GCJ-02 map (高德, 腾讯 tiles) a stored position is
// shifted to GCJ-02 to be drawn, and a tapped one shifted back before it is stored.
(function () {
  "use strict";

  // GCJ-02 (GB/T 20263 "Mars" coordinates), the published algorithm: Krasovsky ellipsoid.
  var A = 6378245.0;
  var EE = 0.00669342162296594323;

  function outOfChina(lat, lng) {
    return lng < 72.004 || lng > 137.8347 || lat < 0.8293 || lat > 55.8271;
  }

  function shiftLat(x, y) {
    var r = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * Math.sqrt(Math.abs(x));
    r += (20.0 * Math.sin(6.0 * x * Math.PI) + 20.0 * Math.sin(2.0 * x * Math.PI)) * 2.0 / 3.0;
    r += (20.0 * Math.sin(y * Math.PI) + 40.0 * Math.sin(y / 3.0 * Math.PI)) * 2.0 / 3.0;
    r += (160.0 * Math.sin(y / 12.0 * Math.PI) + 320 * Math.sin(y * Math.PI / 30.0)) * 2.0 / 3.0;
    return r;
  }

  function shiftLng(x, y) {
    var r = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * Math.sqrt(Math.abs(x));
    r += (20.0 * Math.sin(6.0 * x * Math.PI) + 20.0 * Math.sin(2.0 * x * Math.PI)) * 2.0 / 3.0;
    r += (20.0 * Math.sin(x * Math.PI) + 40.0 * Math.sin(x / 3.0 * Math.PI)) * 2.0 / 3.0;
    r += (150.0 * Math.sin(x / 12.0 * Math.PI) + 300.0 * Math.sin(x / 30.0 * Math.PI)) * 2.0 / 3.0;
    return r;
  }

  function wgsToGcj(lat, lng) {
    if (outOfChina(lat, lng)) return [lat, lng];
    var dLat = shiftLat(lng - 105.0, lat - 35.0);
    var dLng = shiftLng(lng - 105.0, lat - 35.0);
    var radLat = lat / 180.0 * Math.PI;
    var magic = 1 - EE * Math.sin(radLat) * Math.sin(radLat);
    var sqrtMagic = Math.sqrt(magic);
    dLat = (dLat * 180.0) / ((A * (1 - EE)) / (magic * sqrtMagic) * Math.PI);
    dLng = (dLng * 180.0) / (A / sqrtMagic * Math.cos(radLat) * Math.PI);
    return [lat + dLat, lng + dLng];
  }

  // The inverse has no closed form: iterate until the shifted guess lands on the point
  // (a few steps give well under a millimetre).
  function gcjToWgs(lat, lng) {
    if (outOfChina(lat, lng)) return [lat, lng];
    var guess = [lat, lng];
    for (var i = 0; i < 30; i++) {
      var shifted = wgsToGcj(guess[0], guess[1]);
      var dLat = shifted[0] - lat, dLng = shifted[1] - lng;
      guess = [guess[0] - dLat, guess[1] - dLng];
      if (Math.abs(dLat) < 1e-10 && Math.abs(dLng) < 1e-10) break;
    }
    return guess;
  }

  function settingsOf(el) {
    try { return JSON.parse(el.getAttribute("data-map") || "null"); } catch (err) { return null; }
  }

  function offlineNote(el) {
    var id = el.getAttribute("data-offline-note");
    return id ? document.getElementById(id) : null;
  }

  // Leaflet map on `el` with the configured layers; null (and the map hidden) without
  // Leaflet or tiles. Returns {map, toMap([lat, lng]), fromMap(latlng)}.
  function create(el, options) {
    var settings = settingsOf(el);
    var note = offlineNote(el);
    if (!window.L || !settings || !settings.tiles) {
      el.hidden = true;
      return null;
    }
    var gcj = settings.tiles.datum === "gcj02";
    var map = window.L.map(el, options || {});
    var loaded = 0;

    function offline(isOffline) {
      if (note) note.hidden = !isOffline;
      el.classList.toggle("map-offline", isOffline);
    }

    settings.tiles.layers.forEach(function (spec) {
      var layer = window.L.tileLayer(spec.url, {
        subdomains: spec.subdomains || "abc",
        attribution: spec.attribution,
        maxZoom: spec.maxZoom || 19
      });
      layer.on("tileload", function () {
        loaded += 1;
        offline(false);
      });
      layer.on("tileerror", function () { if (!loaded) offline(true); });
      layer.addTo(map);
    });
    // A tile server that never answers fails no request quickly: say so after a while.
    window.setTimeout(function () { if (!loaded) offline(true); }, 8000);
    if (navigator.onLine === false) offline(true);
    window.addEventListener("online", function () { if (!loaded) offline(false); });

    return {
      map: map,
      toMap: function (point) { return gcj ? wgsToGcj(point[0], point[1]) : point; },
      fromMap: function (latlng) {
        return gcj ? gcjToWgs(latlng.lat, latlng.lng) : [latlng.lat, latlng.lng];
      },
      center: settings.center
    };
  }

  // <div data-map-view data-lat data-lng>: a small map with a pin (the staff case page).
  function views() {
    document.querySelectorAll("[data-map-view]").forEach(function (el) {
      var point = [parseFloat(el.getAttribute("data-lat")), parseFloat(el.getAttribute("data-lng"))];
      if (isNaN(point[0]) || isNaN(point[1])) { el.hidden = true; return; }
      var made = create(el, { scrollWheelZoom: false });
      if (!made) return;
      var shown = made.toMap(point);
      made.map.setView(shown, 16);
      window.L.marker(shown).addTo(made.map);
    });
  }

  window.civicdeskMap = { create: create, wgsToGcj: wgsToGcj, gcjToWgs: gcjToWgs };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", views); else views();
})();
