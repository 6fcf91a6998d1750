// Report form: map pin (optional; the form works without it), enterprise fields, geolocation.
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

  var mapEl = document.getElementById("map");
  var marker = null, map = null;
  function setPin(latitude, longitude, pan) {
    if (!map) return;
    var point = [latitude, longitude];
    if (marker) marker.setLatLng(point); else marker = window.L.marker(point).addTo(map);
    if (pan) map.setView(point, Math.max(map.getZoom(), 16));
  }
  function fill(latitude, longitude) {
    lat.value = latitude.toFixed(6);
    lng.value = longitude.toFixed(6);
  }
  if (mapEl && window.L) {
    try {
      var start = [parseFloat(lat.value) || parseFloat(mapEl.dataset.lat), parseFloat(lng.value) || parseFloat(mapEl.dataset.lng)];
      map = window.L.map(mapEl).setView(start, 13);
      window.L.tileLayer(mapEl.dataset.tiles, { maxZoom: 19, attribution: mapEl.dataset.attribution }).addTo(map);
      map.on("click", function (e) { fill(e.latlng.lat, e.latlng.lng); setPin(e.latlng.lat, e.latlng.lng, false); });
      if (lat.value && lng.value) setPin(parseFloat(lat.value), parseFloat(lng.value), true);
      [lat, lng].forEach(function (input) {
        input.addEventListener("change", function () {
          var a = parseFloat(lat.value), b = parseFloat(lng.value);
          if (!isNaN(a) && !isNaN(b)) setPin(a, b, true);
        });
      });
    } catch (err) { mapEl.hidden = true; }
  } else if (mapEl) {
    mapEl.hidden = true;
  }

  var locate = document.getElementById("locate-me");
  if (navigator.geolocation && locate) {
    locate.hidden = false;
    locate.addEventListener("click", function () {
      navigator.geolocation.getCurrentPosition(function (pos) {
        fill(pos.coords.latitude, pos.coords.longitude);
        setPin(pos.coords.latitude, pos.coords.longitude, true);
      });
    });
  }
})();
