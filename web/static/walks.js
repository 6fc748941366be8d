// The finding form's "Använd min position" (walk_finding.html): the phone's position into the
// hidden lat/lon fields. Without JavaScript the button stays hidden and a named place, or the
// photo's own position, does the work.
(function () {
  "use strict";
  var button = document.getElementById("fynd-position");
  if (!button || !navigator.geolocation) return;
  var status = document.getElementById("fynd-position-status");
  button.hidden = false;
  button.addEventListener("click", function () {
    status.textContent = "Hämtar din position …";
    navigator.geolocation.getCurrentPosition(function (position) {
      document.getElementById("fynd-lat").value = position.coords.latitude.toFixed(6);
      document.getElementById("fynd-lon").value = position.coords.longitude.toFixed(6);
      status.textContent = "Din position är vald (ungefär " + Math.round(position.coords.accuracy) + " meter).";
    }, function () {
      status.textContent = "Positionen gick inte att hämta. Välj en plats i listan i stället.";
    }, { enableHighAccuracy: true, timeout: 15000 });
  });
})();
