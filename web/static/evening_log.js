/* An evening's live log: new posts appear as they are written (an EventSource on the page's
   own relay of the API's stream), the position button fills the form's point. Without this
   file the page still reads ("Uppdatera") and posts. */
(function () {
  "use strict";

  var list = document.getElementById("log-posts");
  var status = document.getElementById("log-status");

  function say(text) {
    if (status) { status.textContent = text; }
  }

  // One of each post: the form's answer and the stream may both bring the same one.
  function dedupe() {
    if (!list) { return; }
    var seen = {};
    Array.prototype.forEach.call(list.querySelectorAll("[data-post]"), function (item) {
      var id = item.getAttribute("data-post");
      if (seen[id]) { item.parentNode.removeChild(item); } else { seen[id] = true; }
    });
    var empty = document.getElementById("log-empty");
    if (empty && list.children.length) { empty.parentNode.removeChild(empty); }
  }

  function nearBottom() {
    return window.innerHeight + window.scrollY >= document.body.scrollHeight - 200;
  }

  function follow() {
    if (!list || !list.dataset.stream || !window.EventSource) { return; }
    var source = new EventSource(list.dataset.stream);
    source.addEventListener("open", function () { say("Loggen är öppen. Nya inlägg visas direkt."); });
    source.addEventListener("error", function () {
      if (source.readyState !== EventSource.CLOSED) { say("Anslutningen bröts. Försöker igen …"); }
    });
    source.addEventListener("post", function (event) {
      if (!document.body.contains(list)) { source.close(); return; }
      if (document.getElementById("post-" + event.lastEventId)) { return; }
      var follow = nearBottom();
      var holder = document.createElement("template");
      holder.innerHTML = event.data;
      var item = holder.content.firstElementChild;
      if (!item) { return; }
      list.appendChild(item);
      if (window.htmx) { window.htmx.process(item); }
      dedupe();
      if (follow) { item.scrollIntoView({block: "nearest"}); }
    });
    source.addEventListener("closed", function () {
      source.close();
      say("Kvällen är avslutad: loggen tar inte emot fler inlägg.");
    });
    window.addEventListener("pagehide", function () { source.close(); });
    // Leaving the page by a boosted link (htmx keeps the page in its history first): the
    // stream goes with it.
    document.body.addEventListener("htmx:beforeHistorySave", function () { source.close(); });
  }

  function position() {
    var box = document.getElementById("log-position");
    var button = document.getElementById("use-position");
    if (!box || !button || !navigator.geolocation) { return; }
    box.hidden = false;
    if (button.dataset.ready) { return; }
    button.dataset.ready = "1";
    button.addEventListener("click", function () {
      var text = document.getElementById("position-text");
      text.textContent = "Hämtar position …";
      navigator.geolocation.getCurrentPosition(function (found) {
        var lat = found.coords.latitude.toFixed(6);
        var lon = found.coords.longitude.toFixed(6);
        document.getElementById("lat").value = lat;
        document.getElementById("lon").value = lon;
        text.textContent = "Position " + lat + ", " + lon;
      }, function () {
        text.textContent = "Positionen gick inte att hämta. Välj en plats i stället.";
      }, {enableHighAccuracy: true, timeout: 15000, maximumAge: 60000});
    });
  }

  document.body.addEventListener("htmx:oobAfterSwap", dedupe);
  // The form comes back after each post: its position button is a new one.
  document.body.addEventListener("htmx:afterSwap", position);
  follow();
  position();
}());
