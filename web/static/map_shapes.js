// What every signed-in map draws under its tiles, and where it starts: the acting
// municipality's areas (outlines, names) and named places, from the page's JSON
// (web/map_shapes.py), fitted to the chosen area, else to all of them, else to the
// municipality's extent. With no tiles (a closed network) the map still shows where things
// are, and no map starts over another municipality.
(function () {
  "use strict";
  function read(id) {
    var element = document.getElementById(id);
    try { return JSON.parse((element && element.textContent) || "{}"); } catch (e) { return {}; }
  }

  // A name beside its shape, under the markers (the shadow pane lies between the outlines
  // and the markers), so that no name hides a marker or a cluster's count.
  function label(entry) {
    return { permanent: true, direction: entry[2], className: entry[3], pane: "shadowPane" };
  }

  // Draws the shapes on the map and sets its first view; areaId: the area to fit to (NaN
  // for none). Returns whether the municipality gave the view.
  function draw(map, shapes, areaId) {
    var around = L.latLngBounds([]);
    var everywhere = L.latLngBounds([]);
    var layers = [];
    (shapes.areas || []).forEach(function (shape) {
      var layer = L.geoJSON(shape.boundary, {
        style: { color: "#0b5cad", weight: 2, fillColor: "#0b5cad", fillOpacity: 0.06 },
        interactive: false
      });
      layers.push([layer, shape.name, "center", "walk-map-area"]);
      everywhere.extend(layer.getBounds());
      if (shape.id === areaId) around.extend(layer.getBounds());
    });
    (shapes.places || []).forEach(function (place) {
      var dot = L.circleMarker([place.lat, place.lon], {
        radius: 5, weight: 2, color: "#ffffff", fillColor: "#1f6b3a", fillOpacity: 0.95, interactive: false
      });
      layers.push([dot, place.name, "right", "walk-map-place"]);
      everywhere.extend([place.lat, place.lon]);
      if (place.area_id === areaId) around.extend([place.lat, place.lon]);
    });
    // The view first: Leaflet draws vectors and opens tooltips against it.
    var extent = shapes.extent;
    var fitted = true;
    if (around.isValid()) map.fitBounds(around);
    else if (everywhere.isValid()) map.fitBounds(everywhere);
    else if (extent) map.fitBounds([[extent.south, extent.west], [extent.north, extent.east]]);
    // Nothing known of the municipality yet: Sweden, never another municipality's town.
    else { map.setView([62.0, 16.0], 4); fitted = false; }
    layers.forEach(function (entry) {
      entry[0].addTo(map);
      entry[0].eachLayer ? entry[0].eachLayer(function (part) {
        part.bindTooltip(entry[1], label(entry));
      }) : entry[0].bindTooltip(entry[1], label(entry));
    });
    return fitted;
  }

  window.estShapes = { read: read, draw: draw };
})();
