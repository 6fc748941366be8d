// The incidents of the filter on a map: clustered markers coloured by category family, a
// popup that leads to the incident. Without JavaScript the list below the map says the same.
(function () {
  "use strict";
  var element = document.getElementById("map");
  if (!element || !window.L) return;
  var status = document.getElementById("map-status");
  // Each category group's colour, as the legend beside the map shows it (est.css).
  var COLOURS = {};
  document.querySelectorAll(".map-legend [data-family]").forEach(function (swatch) {
    COLOURS[swatch.dataset.family] = getComputedStyle(swatch).backgroundColor;
  });
  var OTHER = COLOURS.ovrigt || "#4f5660";
  // Swedish titles of Leaflet's zoom buttons (its own are English).
  L.Control.Zoom.mergeOptions({ zoomInTitle: "Zooma in", zoomOutTitle: "Zooma ut" });
  var map = L.map(element, { scrollWheelZoom: false });
  // The municipality's areas under the markers, and its view before they come.
  window.estShapes.draw(map, window.estShapes.read("map-shapes"), NaN);
  L.tileLayer("https://tile.openstreetmap.org/{z}/{x}/{y}.png", {
    maxZoom: 19,
    attribution: '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>'
  }).addTo(map);
  var layer = L.markerClusterGroup ? L.markerClusterGroup({ maxClusterRadius: 40 }) : L.layerGroup();
  map.addLayer(layer);

  function text(value) {
    var span = document.createElement("span");
    span.textContent = value == null ? "" : String(value);
    return span.innerHTML;
  }

  fetch(element.dataset.geojson, { credentials: "same-origin", headers: { Accept: "application/geo+json" } })
    .then(function (response) {
      if (!response.ok) throw new Error(response.status);
      return response.json();
    })
    .then(function (collection) {
      var shown = 0, without = 0, bounds = [];
      collection.features.forEach(function (feature) {
        if (!feature.geometry) { without += 1; return; }
        var lon = feature.geometry.coordinates[0], lat = feature.geometry.coordinates[1];
        var p = feature.properties;
        var marker = L.circleMarker([lat, lon], {
          radius: 8, weight: 2, color: "#ffffff", fillOpacity: 0.9,
          fillColor: COLOURS[p.family] || OTHER
        });
        marker.bindPopup(
          "<strong>" + text(p.category_label) + "</strong><br>" +
          text(new Date(p.occurred_from).toLocaleString("sv-SE", { dateStyle: "long", timeStyle: "short" })) +
          "<br>" + text(p.area) + (p.place ? ", " + text(p.place) : "") +
          '<br><a href="/handelser/' + encodeURIComponent(feature.id) + '">Visa händelsen</a>'
        );
        layer.addLayer(marker);
        bounds.push([lat, lon]);
        shown += 1;
      });
      if (bounds.length) map.fitBounds(bounds, { padding: [30, 30], maxZoom: 16 });
      element.dataset.markers = String(shown);
      status.textContent = shown + " händelser på kartan" +
        (without ? "; " + without + " saknar punkt och finns bara i listan." : ".");
    })
    .catch(function () {
      status.textContent = "Händelserna kunde inte hämtas till kartan; se listan nedan.";
    });
})();
