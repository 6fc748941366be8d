// Leaflet comes from unpkg when it can be reached; otherwise, and on a closed network, from
// this server's own copy of exactly the same files.
if (!window.L) {
  document.write('<script src="/static/vendor/leaflet/leaflet.js?v=1.9.4"><\/script>');
}
if (document.getElementById("map") && !(window.L && window.L.markerClusterGroup)) {
  document.write('<script src="/static/vendor/markercluster/leaflet.markercluster.js?v=1.5.3"><\/script>');
}
