// The filing form's helpers, none of which it needs: the phone's position and a point picked
// on a map (they fill in the coordinate fields the form has anyway); a batch shown as a
// compact list, earlier incidents folded to one line; and taking an incident out with an undo
// instead of a round trip (without JavaScript the server asks first).
(function () {
  "use strict";
  var form = document.querySelector(".report-form");
  if (!form) return;
  var list = form.querySelector("#handelser");

  function chosenText(select) {
    return select && select.value ? select.options[select.selectedIndex].text.trim() : "";
  }

  function firstField(block) {
    return block.querySelector(".block-body select, .block-body input:not([type=hidden]), .block-body textarea");
  }

  // Only the time fields of the chosen "När?" are shown; without JavaScript all of them are.
  function setUpWhen(block) {
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
  }

  function setUpPosition(block) {
    var box = block.querySelector("fieldset.position");
    var tools = box.querySelector(".position-tools");
    var system = box.querySelector("select");
    var inputs = box.querySelectorAll("input");
    var area = block.querySelector('select[name$="-omrade"]');
    var noArea = area.options[0];
    tools.hidden = false;

    // With a point the area is the point's (the API decides it): the empty choice says so.
    function label() {
      var point = inputs[0].value.trim() !== "" || inputs[1].value.trim() !== "";
      noArea.text = point ? noArea.dataset.byPoint : noArea.dataset.noPoint;
    }
    inputs.forEach(function (input) { input.addEventListener("input", label); });

    // A named place decides the area: show the place's area rather than one that contradicts it.
    var place = block.querySelector('select[name$="-plats"]');
    place.addEventListener("change", function () {
      var chosen = place.options[place.selectedIndex];
      if (chosen && chosen.dataset.area) area.value = chosen.dataset.area;
    });

    function set(lat, lon) {
      system.value = "EPSG:4326";
      inputs[0].value = lat.toFixed(6);
      inputs[1].value = lon.toFixed(6);
      // The reporter's own area, chosen beforehand, must not contradict where they stand.
      area.value = "";
      label();
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
      // Swedish titles of Leaflet's zoom buttons (its own are English).
      L.Control.Zoom.mergeOptions({ zoomInTitle: "Zooma in", zoomOutTitle: "Zooma ut" });
      var map = L.map(holder);
      // The municipality's areas and places (map_shapes.js), fitted to the area chosen.
      window.estShapes.draw(map, window.estShapes.read("report-shapes"), parseInt(area.value, 10));
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
  }

  // "Klotter · Bro centrum · Nu": what, where and when, for a folded incident.
  function summary(block) {
    var what = chosenText(block.querySelector('select[name$="-kategori"]')) || "Ingen kategori vald";
    var where = chosenText(block.querySelector('select[name$="-plats"]')) ||
      chosenText(block.querySelector('select[name$="-omrade"]')) ||
      (block.querySelector('input[name$="-lat"]').value.trim() ? "Vald punkt" : "Ingen plats");
    var when = "";
    var chosen = block.querySelector('input[type=radio][name$="-nar"]:checked');
    if (chosen) {
      var field = block.querySelector('[data-when="' + chosen.value + '"] input');
      when = field && field.value ? field.value.replace("T", " ") : chosen.parentNode.textContent.trim();
    }
    return [what, where, when].filter(Boolean).join(" · ");
  }

  function fold(block) {
    block.querySelector(".summary-text").textContent = summary(block);
    block.querySelector(".block-summary").hidden = false;
    block.querySelector(".block-body").hidden = true;
    block.classList.add("folded");
  }

  function unfold(block) {
    block.querySelector(".block-summary").hidden = true;
    block.querySelector(".block-body").hidden = false;
    block.classList.remove("folded");
  }

  function visible() {
    return list.querySelectorAll(".incident-block:not([hidden])");
  }

  // The last incident shown is not taken out: its "Ta bort" goes (CSS, #handelser.lone).
  function markLone() {
    list.classList.toggle("lone", visible().length < 2);
  }

  // Taken out on the page with an undo: the block and its text stay, marked, until sent.
  function takeOut(block) {
    block.hidden = true;
    block.querySelector("[data-removed]").value = "ja";
    var note = document.createElement("p");
    note.className = "removed-note";
    note.setAttribute("role", "status");
    note.textContent = block.querySelector("legend").textContent.trim() + " är borttagen. ";
    var undo = document.createElement("button");
    undo.type = "button";
    undo.className = "button button-secondary button-small";
    undo.textContent = "Ångra";
    undo.addEventListener("click", function () {
      block.querySelector("[data-removed]").value = "";
      block.hidden = false;
      note.remove();
      markLone();
      unfold(block);
      firstField(block).focus();
    });
    note.appendChild(undo);
    block.after(note);
    markLone();
    undo.focus();
  }

  form.addEventListener("click", function (event) {
    var remove = event.target.closest("[data-remove]");
    // The last incident left is not taken out here (the server's answer says why not).
    if (remove && visible().length > 1) {
      event.preventDefault();
      takeOut(remove.closest(".incident-block"));
      return;
    }
    var expand = event.target.closest("[data-expand]");
    if (expand) {
      var block = expand.closest(".incident-block");
      unfold(block);
      firstField(block).focus();
    }
  });

  // "Kopiera föregående": where and when of the incident before (the one kept before it).
  var COPIED = ["dag", "tid", "fran", "till", "omrade", "plats", "koordsys", "lat", "lon"];
  function copyPrevious(block) {
    var blocks = Array.prototype.slice.call(visible());
    var previous = blocks[blocks.indexOf(block) - 1];
    if (!previous) return;
    function field(of, name) { return of.querySelector('[name$="-' + name + '"]:not([type=radio])'); }
    COPIED.forEach(function (name) { field(block, name).value = field(previous, name).value; });
    var when = previous.querySelector('input[type=radio][name$="-nar"]:checked');
    if (when) {
      var mine = block.querySelector('input[type=radio][name$="-nar"][value="' + when.value + '"]');
      mine.checked = true;
      mine.dispatchEvent(new Event("change"));
    }
    field(block, "lat").dispatchEvent(new Event("input"));
  }

  function setUp(block) {
    setUpWhen(block);
    setUpPosition(block);
    var copy = block.querySelector("[data-copy]");
    if (copy) {
      copy.parentNode.hidden = false;
      copy.addEventListener("click", function () { copyPrevious(block); });
    }
  }

  list.querySelectorAll(".incident-block").forEach(setUp);

  // A block added in place (htmx): the ones before it fold to a line each, and the new one is
  // in view with the focus in its first field.
  document.body.addEventListener("htmx:load", function (event) {
    var block = event.detail.elt;
    if (!block.classList || !block.classList.contains("incident-block")) return;
    setUp(block);
    visible().forEach(function (other) { if (other !== block) fold(other); });
    markLone();
    block.scrollIntoView({ block: "start" });
    firstField(block).focus({ preventScroll: true });
  });
})();
