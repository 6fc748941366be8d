// The filing form's helpers, none of which it needs: the phone's position, and a point
// picked on a map. They only fill in the coordinate fields the form has anyway.
(function () {
  "use strict";
  // Only the time fields of the chosen "När?" are shown; without JavaScript all of them are.
  document.querySelectorAll(".report-form .incident-block").forEach(function (block) {
    var radios = block.querySelectorAll('input[type=radio][name$="-nar"]');
    function show() {
      var chosen = block.querySelector('input[type=radio][name$="-nar"]:checked');
      block.querySelectorAll("[data-when]").forEach(function (field) {
        var error = field.classList.contains("has-error");
        field.hidden = !error && (!chosen || field.dataset.when !== chosen.value);
      });
    }
    radios.forEach(function (radio) { radio.addEventListener("change", show); });
    show();
  });
  document.querySelectorAll(".report-form fieldset.position").forEach(function (box) {
    var tools = box.querySelector(".position-tools");
    var system = box.querySelector("select");
    var inputs = box.querySelectorAll("input");
    tools.hidden = false;

    function set(lat, lon) {
      system.value = "EPSG:4326";
      inputs[0].value = lat.toFixed(6);
      inputs[1].value = lon.toFixed(6);
    }

    var locate = box.querySelector("[data-locate]");
    if (!navigator.geolocation) locate.hidden = true;
    locate.addEventListener("click", function () {
      locate.textContent = "Hämtar position …";
      navigator.geolocation.getCurrentPosition(function (position) {
        set(position.coords.latitude, position.coords.longitude);
        locate.textContent = "Position hämtad";
      }, function () {
        locate.textContent = "Positionen gick inte att hämta";
      }, { enableHighAccuracy: true, timeout: 15000 });
    });

    var pick = box.querySelector("[data-pick]");
    if (!window.L) { pick.hidden = true; return; }
    pick.addEventListener("click", function () {
      var holder = box.querySelector(".pick-map");
      if (!holder.hidden) return;
      holder.hidden = false;
      var map = L.map(holder).setView([59.51, 17.7], 11);
      L.tileLayer("https://tile.openstreetmap.org/{z}/{x}/{y}.png", {
        maxZoom: 19,
        attribution: '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>'
      }).addTo(map);
      var marker = null;
      map.on("click", function (event) {
        set(event.latlng.lat, event.latlng.lng);
        if (marker) marker.setLatLng(event.latlng); else marker = L.marker(event.latlng).addTo(map);
      });
    });
  });
})();
