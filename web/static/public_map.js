// The public pages' map (web/templates/_public.html, macro public_map): no tiles and nothing
// from a third party; the municipality's areas' outlines and named places drawn as vectors.
// A tap, or "Använd min position", puts a point in the form's hidden lat/lon fields.
(function () {
  "use strict";
  if (!window.L) return;
  // Swedish titles of Leaflet's zoom buttons (its own are English), before any map is made.
  L.Control.Zoom.mergeOptions({ zoomInTitle: "Zooma in", zoomOutTitle: "Zooma ut" });

  function round(value) { return Math.round(value * 1e6) / 1e6; }

  function setUp(block) {
    var id = block.dataset.publicMap;
    var element = document.getElementById(id);
    var latInput = document.getElementById(id + "-lat");
    var lonInput = document.getElementById(id + "-lon");
    var status = document.getElementById(id + "-status");
    var locate = document.getElementById(id + "-locate");
    var clear = document.getElementById(id + "-clear");
    var select = block.dataset.placeSelect ? document.getElementById(block.dataset.placeSelect) : null;
    var shapes = {};
    try { shapes = JSON.parse(document.getElementById(id + "-shapes").textContent || "{}"); } catch (e) { shapes = {}; }

    element.hidden = false;
    var map = L.map(element, { scrollWheelZoom: false, attributionControl: false, zoomSnap: 0.25 });
    // A view before any layer: Leaflet draws vectors (and opens tooltips) against it.
    var extent = shapes.extent;
    if (extent) map.fitBounds([[extent.south, extent.west], [extent.north, extent.east]]);
    else map.setView([62.0, 16.0], 4);  // no municipality known: Sweden, not a town
    var bounds = L.latLngBounds([]);
    (shapes.areas || []).forEach(function (area) {
      if (!area.boundary) return;
      var layer = L.geoJSON(area.boundary, {
        style: { color: "#0b5cad", weight: 2, fillColor: "#0b5cad", fillOpacity: 0.06 },
        interactive: false
      }).addTo(map);
      layer.eachLayer(function (shape) {
        shape.bindTooltip(area.name, { permanent: true, direction: "center", className: "public-map-area" });
      });
      bounds.extend(layer.getBounds());
    });
    var placesById = {};
    (shapes.places || []).forEach(function (place) {
      if (place.lat == null || place.lon == null) return;
      var marker = L.circleMarker([place.lat, place.lon], {
        radius: 6, weight: 2, color: "#ffffff", fillColor: "#1f6b3a", fillOpacity: 0.95
      }).addTo(map);
      marker.bindTooltip(place.name);
      marker.on("click", function (event) {
        L.DomEvent.stopPropagation(event);
        choose(place.lat, place.lon, place.name);
        if (select) select.value = String(place.id);
      });
      placesById[place.id] = place;
      bounds.extend([place.lat, place.lon]);
    });
    (shapes.points || []).forEach(function (point) {
      var marker = L.circleMarker([point.lat, point.lon], {
        radius: 7, weight: 2, color: "#ffffff", fillColor: "#8a4b00", fillOpacity: 0.9
      }).addTo(map);
      if (point.label) marker.bindTooltip(point.label);
      bounds.extend([point.lat, point.lon]);
    });
    if (bounds.isValid()) map.fitBounds(bounds, { padding: [10, 10] });

    var chosen = null;
    function choose(lat, lon, name) {
      latInput.value = String(round(lat));
      lonInput.value = String(round(lon));
      if (chosen) chosen.setLatLng([lat, lon]);
      else chosen = L.circleMarker([lat, lon], {
        radius: 10, weight: 3, color: "#a4161a", fillColor: "#a4161a", fillOpacity: 0.5
      }).addTo(map);
      status.textContent = name ? "Vald plats: " + name + "." : "En punkt är vald på kartan.";
      clear.hidden = false;
      block.dispatchEvent(new CustomEvent("public-map:chosen", { bubbles: true, detail: { lat: lat, lon: lon } }));
    }
    if (latInput.value && lonInput.value) {
      choose(parseFloat(latInput.value), parseFloat(lonInput.value));
    } else {
      status.textContent = "Tryck på kartan där det hände, eller välj en plats i listan.";
    }
    // One answer: a tap elsewhere than on a named place empties the list's choice (the
    // point is the answer); a place chosen in the list takes the point away.
    map.on("click", function (event) {
      choose(event.latlng.lat, event.latlng.lng);
      if (select) select.value = "";
    });
    function unchoose(said) {
      latInput.value = ""; lonInput.value = "";
      if (chosen) { map.removeLayer(chosen); chosen = null; }
      clear.hidden = true;
      status.textContent = said;
    }
    clear.addEventListener("click", function () { unchoose("Ingen punkt är vald."); });
    if (select) {
      select.addEventListener("change", function () {
        var place = placesById[select.value];
        if (select.value) unchoose("Vald plats i listan: " + select.options[select.selectedIndex].text + ".");
        if (place) map.setView([place.lat, place.lon], Math.max(map.getZoom(), 14));
      });
    }
    if (navigator.geolocation) {
      locate.hidden = false;
      locate.addEventListener("click", function () {
        status.textContent = "Hämtar din position …";
        navigator.geolocation.getCurrentPosition(function (position) {
          var lat = position.coords.latitude, lon = position.coords.longitude;
          choose(lat, lon);
          map.setView([lat, lon], Math.max(map.getZoom(), 15));
        }, function () {
          status.textContent = "Positionen gick inte att hämta. Tryck på kartan i stället.";
        }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
      });
    }
  }

  Array.prototype.forEach.call(document.querySelectorAll("[data-public-map]"), setUp);
})();
