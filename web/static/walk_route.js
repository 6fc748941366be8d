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
    var map = L.map(holder);
    // The areas' outlines and named places (map_shapes.js), fitted to the walk's area.
    var area = document.getElementById("omrade");
    window.estShapes.draw(map, window.estShapes.read("rutt-karta-shapes"), area ? parseInt(area.value, 10) : NaN);
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
