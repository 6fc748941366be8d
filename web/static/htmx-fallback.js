// The CDN could not be reached (or its file did not match its integrity hash): load the
// copy this server ships. document.write keeps it synchronous, so htmx starts before
// DOMContentLoaded as it expects.
if (!window.htmx) {
  document.write('<script src="/static/vendor/htmx.min.js?v=2.0.11"><\/script>');
}
