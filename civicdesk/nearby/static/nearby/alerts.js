// Area alert form: show the circle's or the street's fields for the chosen kind, and let a
// tap on the map (or the phone's location) fill the centre. The form works without it.
(function () {
  "use strict";
  var form = document.getElementById("alert-form");
  if (!form) return;
  var circle = document.getElementById("alert-circle");
  var street = document.getElementById("alert-street");
  var lat = form.querySelector("[name=latitude]");
  var lng = form.querySelector("[name=longitude]");
  var radius = form.querySelector("[name=radius_m]");

  function kind() {
    var checked = form.querySelector("[name=kind]:checked");
    return checked ? checked.value : "radius";
  }
  function sync() {
    circle.hidden = kind() !== "radius";
    street.hidden = kind() !== "street";
  }
  form.querySelectorAll("[name=kind]").forEach(function (input) {
    input.addEventListener("change", sync);
  });
  sync();

  var made = null, ring = null;
  function show() {
    if (!made) return;
    var a = parseFloat(lat.value), b = parseFloat(lng.value);
    if (isNaN(a) || isNaN(b)) return;
    var at = made.toMap([a, b]);
    var metres = parseInt(radius.value, 10) || 1000;
    if (ring) { ring.setLatLng(at); ring.setRadius(metres); }
    else ring = window.L.circle(at, { radius: metres }).addTo(made.map);
    made.map.fitBounds(ring.getBounds(), { padding: [20, 20] });
  }
  function fill(a, b) {
    lat.value = a.toFixed(6);
    lng.value = b.toFixed(6);
    show();
  }
  var el = document.getElementById("alert-map");
  if (el && window.civicdeskMap) {
    try { made = window.civicdeskMap.create(el); } catch (err) { made = null; el.hidden = true; }
    if (made) {
      made.map.setView(made.toMap(made.center), 13);
      made.map.on("click", function (e) {
        var stored = made.fromMap(e.latlng);
        fill(stored[0], stored[1]);
      });
      show();
    }
  }
  [lat, lng, radius].forEach(function (input) { input.addEventListener("change", show); });
  var locate = document.getElementById("alert-locate");
  if (locate && navigator.geolocation) {
    locate.hidden = false;
    locate.addEventListener("click", function () {
      navigator.geolocation.getCurrentPosition(function (pos) {
        fill(pos.coords.latitude, pos.coords.longitude);
      });
    });
  }
})();
