// The walk form's route drawn on a map (walk_edit.html): each tap adds a point to the
// "Ritad rutt" field (one "lat, lon" a line), which stays the form's one truth; the line
// follows the field. Without JavaScript, or without Leaflet, the field is typed in instead.
(function () {
  "use strict";
  var field = document.getElementById("rutt_ritad");
  var open = document.getElementById("rutt-rita");
  var holder = document.getElementById("rutt-karta");
  if (!field || !open || !holder || !window.L) return;
  var undo = document.getElementById("rutt-angra");
  open.hidden = false;

  function points() {
    return field.value.split("\n").map(function (line) {
      var parts = line.split(",").map(function (x) { return parseFloat(x); });
      return parts.length === 2 && !isNaN(parts[0]) && !isNaN(parts[1]) ? parts : null;
    }).filter(Boolean);
  }

  open.addEventListener("click", function () {
    if (!holder.hidden) return;
    holder.hidden = false;
    undo.hidden = false;
    // Swedish titles of Leaflet's zoom buttons (its own are English).
    L.Control.Zoom.mergeOptions({ zoomInTitle: "Zooma in", zoomOutTitle: "Zooma ut" });
    var map = L.map(holder).setView([59.51, 17.7], 12);
    // The areas' outlines and the named places as vectors (as public_map.js draws them; that
    // script's drawing lives in its closure, so it is repeated here, small): with no tiles
    // (a closed network) the map still shows where things are.
    var shapes = {};
    try { shapes = JSON.parse(document.getElementById("rutt-karta-shapes").textContent || "{}"); } catch (e) { shapes = {}; }
    var area = document.getElementById("omrade");
    var areaId = area ? parseInt(area.value, 10) : NaN;
    var around = L.latLngBounds([]);
    var everywhere = L.latLngBounds([]);
    (shapes.areas || []).forEach(function (shape) {
      var layer = L.geoJSON(shape.boundary, {
        style: { color: "#0b5cad", weight: 2, fillColor: "#0b5cad", fillOpacity: 0.06 },
        interactive: false
      }).addTo(map);
      layer.eachLayer(function (part) {
        part.bindTooltip(shape.name, { permanent: true, direction: "center", className: "walk-map-area" });
      });
      everywhere.extend(layer.getBounds());
      if (shape.id === areaId) around.extend(layer.getBounds());
    });
    (shapes.places || []).forEach(function (place) {
      L.circleMarker([place.lat, place.lon], {
        radius: 5, weight: 2, color: "#ffffff", fillColor: "#1f6b3a", fillOpacity: 0.95, interactive: false
      }).addTo(map).bindTooltip(place.name, { permanent: true, direction: "right", className: "walk-map-place" });
      everywhere.extend([place.lat, place.lon]);
      if (place.area_id === areaId) around.extend([place.lat, place.lon]);
    });
    if (around.isValid()) map.fitBounds(around);
    else if (everywhere.isValid()) map.fitBounds(everywhere);
    L.tileLayer("https://tile.openstreetmap.org/{z}/{x}/{y}.png", {
      maxZoom: 19,
      attribution: '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>'
    }).addTo(map);
    var line = L.polyline(points(), { color: "#1f5fa8", weight: 4 }).addTo(map);
    if (points().length) map.fitBounds(line.getBounds(), { maxZoom: 16 });
    function redraw() { line.setLatLngs(points()); }
    map.on("click", function (event) {
      var text = event.latlng.lat.toFixed(6) + ", " + event.latlng.lng.toFixed(6);
      field.value = field.value.trim() ? field.value.trim() + "\n" + text : text;
      redraw();
    });
    field.addEventListener("input", redraw);
    undo.addEventListener("click", function () {
      var lines = field.value.trim().split("\n");
      lines.pop();
      field.value = lines.join("\n");
      redraw();
    });
  });
})();
