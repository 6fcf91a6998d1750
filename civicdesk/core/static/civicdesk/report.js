// Report form: the address first, "use my location", a map pin (optional: the form works
// without it, and the coordinates stay under a disclosure), and the enterprise fields.
(function () {
  "use strict";
  var form = document.getElementById("report-form");
  if (!form) return;
  var lat = document.getElementById("id_latitude");
  var lng = document.getElementById("id_longitude");

  var enterprise = document.getElementById("id_for_enterprise");
  var enterpriseFields = document.getElementById("enterprise-fields");
  function syncEnterprise() { enterpriseFields.hidden = !enterprise.checked; }
  enterprise.addEventListener("change", syncEnterprise);
  syncEnterprise();

  // Stored positions are WGS-84; `made` converts for a map drawn in GCJ-02 (map.js).
  var made = null, marker = null;
  function setPin(latitude, longitude, pan) {
    if (!made) return;
    var point = made.toMap([latitude, longitude]);
    if (marker) marker.setLatLng(point); else marker = window.L.marker(point).addTo(made.map);
    if (pan) made.map.setView(point, Math.max(made.map.getZoom(), 16));
  }
  function fill(latitude, longitude) {
    lat.value = latitude.toFixed(6);
    lng.value = longitude.toFixed(6);
  }

  var mapEl = document.getElementById("map");
  if (mapEl && window.civicdeskMap) {
    try {
      made = window.civicdeskMap.create(mapEl);
    } catch (err) {
      mapEl.hidden = true;
      made = null;
    }
    if (made) {
      var start = made.center;
      if (lat.value && lng.value) start = [parseFloat(lat.value), parseFloat(lng.value)];
      made.map.setView(made.toMap(start), 13);
      made.map.on("click", function (e) {
        var stored = made.fromMap(e.latlng);
        fill(stored[0], stored[1]);
        setPin(stored[0], stored[1], false);
      });
      if (lat.value && lng.value) setPin(parseFloat(lat.value), parseFloat(lng.value), true);
      [lat, lng].forEach(function (input) {
        input.addEventListener("change", function () {
          var a = parseFloat(lat.value), b = parseFloat(lng.value);
          if (!isNaN(a) && !isNaN(b)) setPin(a, b, true);
        });
      });
    }
  } else if (mapEl) {
    mapEl.hidden = true;
  }

  var locate = document.getElementById("locate-me");
  var status = document.getElementById("locate-status");
  if (navigator.geolocation && locate) {
    locate.hidden = false;
    locate.addEventListener("click", function () {
      status.textContent = locate.getAttribute("data-locating");
      locate.disabled = true;
      navigator.geolocation.getCurrentPosition(function (pos) {
        locate.disabled = false;
        fill(pos.coords.latitude, pos.coords.longitude);
        setPin(pos.coords.latitude, pos.coords.longitude, true);
        status.textContent = locate.getAttribute("data-located");
      }, function (error) {
        locate.disabled = false;
        status.textContent = locate.getAttribute(
          error && error.code === 1 ? "data-denied" : "data-failed"
        );
      }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
    });
  }
})();
