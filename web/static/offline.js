// The report page without a connection (with offline-queue.js and the service worker sw.js).
//
// Online the form is sent as usual: its errors come back beside the fields, as without
// JavaScript (and if the request fails on the way, the worker keeps the report). When the
// phone knows it is offline, or the page is the copy the worker kept, the report is kept on
// the phone instead (IndexedDB), listed here as waiting, and sent by itself when the
// connection is back: on the `online` event, when the page is opened, and by Background Sync
// where the browser has it.
"use strict";

(function () {
  var form = document.querySelector("form.report-form");
  var box = document.getElementById("vantande");
  if (!form || !box || !window.indexedDB || !window.EstQueue) return;

  var owner = box.getAttribute("data-owner") || null;
  // The worker's kept copy: its key may be used already and its time is old.
  var copy = document.body.hasAttribute("data-offline-copy");
  var SKEW = "est-klockskillnad";
  var busy = false;

  function field(name) { return form.querySelector('input[name="' + name + '"]'); }

  function newKey() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var bytes = crypto.getRandomValues(new Uint8Array(16));
    return Array.prototype.map.call(bytes, function (b) { return (b + 256).toString(16).slice(1); }).join("");
  }

  // "Nu" in the form means when it was opened, by the server's clock (a hidden field).
  function adjustTime() {
    var opened = field("oppnad");
    if (!opened) return;
    var skew;
    try { skew = Number(localStorage.getItem(SKEW)) || 0; } catch (e) { skew = 0; }
    if (!copy) {
      var measured = Date.now() - Date.parse(opened.value);
      if (!isNaN(measured)) { try { localStorage.setItem(SKEW, String(measured)); } catch (e) { /* private mode */ } }
      return;
    }
    // The phone's time now, by the server's clock (as measured when a page came from it).
    var now = new Date(Date.now() - skew);
    opened.value = now.toISOString().slice(0, 16) + "+00:00";
  }

  if (copy) field("nyckel").value = newKey();
  adjustTime();

  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/sw.js", { scope: "/rapportera" }).catch(function () {});
  }

  // --- The list of reports on the phone -------------------------------------------------

  var when = new Intl.DateTimeFormat("sv-SE", {
    day: "numeric", month: "long", year: "numeric", hour: "2-digit", minute: "2-digit",
    timeZone: "Europe/Stockholm",
  });

  function dateSv(ms) {
    var parts = {};
    when.formatToParts(new Date(ms)).forEach(function (part) { parts[part.type] = part.value; });
    return parts.day + " " + parts.month + " " + parts.year + " " + parts.hour + ":" + parts.minute;
  }

  function value(entry, name) {
    for (var i = 0; i < entry.fields.length; i++) if (entry.fields[i][0] === name) return entry.fields[i][1];
    return "";
  }

  function title(entry) {
    var count = Number(value(entry, "antal")) || 1;
    var code = value(entry, "h0-kategori");
    var option = code && form.querySelector('select[name="h0-kategori"] option[value="' + CSS.escape(code) + '"]');
    var name = option ? option.textContent.trim() : "Rapport";
    return count > 1 ? name + " och " + (count - 1) + (count > 2 ? " händelser till" : " händelse till") : name;
  }

  function element(tag, attributes, text) {
    var node = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (name) { node.setAttribute(name, attributes[name]); });
    if (text) node.textContent = text;
    return node;
  }

  function signInLink() {
    return element("a", { href: "/logga-in?next=/rapportera" }, "Logga in");
  }

  // A report kept on the phone keeps its text fields only (a photo is no form text): said
  // beside each photo field while there is no connection, and on a report kept without them.
  var NO_PHOTOS = "Bilderna sparades inte på telefonen: lägg till dem på händelserna när rapporten är skickad.";

  var STATES = {
    waiting: "Väntar på anslutning – skickas automatiskt",
    signin: "Väntar – logga in igen, så skickas den",
    invalid: "Inte skickad: rätta den i formuläret",
    sent: "Skickad",
  };

  function item(entry) {
    var li = element("li", { class: "card offline-report", "data-state": entry.state, "data-key": entry.key });
    li.appendChild(element("p", { class: "card-title" }, title(entry)));
    li.appendChild(element("p", { class: "muted" }, "Sparad på telefonen " + dateSv(entry.saved)));
    var state = element("p", { class: "offline-state" }, STATES[entry.state] || STATES.waiting);
    if (entry.state === "sent") state.textContent += " " + dateSv(entry.sent);
    // The server's reason, unless it only points at fields the form will show.
    if (entry.state === "invalid" && entry.message && entry.message.indexOf("nedan") < 0) {
      state.textContent += " (" + entry.message + ")";
    }
    li.appendChild(state);
    if (entry.withoutPhotos) li.appendChild(element("p", { class: "muted" }, NO_PHOTOS));
    var actions = element("p", { class: "offline-actions" });
    if (entry.state === "sent") {
      actions.appendChild(element("a", { href: entry.report }, "Visa rapport " + entry.reportId));
    } else {
      if (entry.state === "signin") actions.appendChild(signInLink());
      if (entry.state === "invalid") {
        var fix = element("button", { type: "button", class: "button button-small" }, "Öppna i formuläret");
        fix.addEventListener("click", function () { openInForm(entry.key); });
        actions.appendChild(fix);
      }
      var drop = element("button", { type: "button", class: "button button-secondary button-small" }, "Ta bort");
      drop.addEventListener("click", function () {
        if (window.confirm("Ta bort rapporten från telefonen? Den skickas då inte.")) {
          EstQueue.remove(entry.key).then(show);
        }
      });
      actions.appendChild(drop);
    }
    li.appendChild(actions);
    return li;
  }

  // Made once and kept: a live region announces changes to its text, not a new region.
  var heading = element("h2", {}, "Rapporter på telefonen");
  var status = element("p", { role: "status", class: "notice", id: "vantande-status" });
  var list = element("ul", { class: "plain cards offline-reports" });
  var elsewhere = element("p", { class: "muted" });
  [heading, status, list, elsewhere].forEach(function (node) { box.appendChild(node); });

  function say(text, link) {
    status.textContent = text;
    if (link) status.appendChild(link);
  }

  function show(extra) {
    return EstQueue.all().then(function (entries) {
      var mine = entries.filter(function (e) { return !e.owner || !owner || e.owner === owner; });
      var others = entries.length - mine.length;
      mine.sort(function (a, b) { return b.saved - a.saved; });
      box.hidden = !mine.length && !others;
      var waiting = mine.filter(function (e) { return e.state === "waiting" || e.state === "signin"; });
      var more = extra ? " " + extra : "";
      if (waiting.some(function (e) { return e.state === "signin"; })) {
        say("Du behöver logga in igen för att de väntande rapporterna ska skickas." + more + " ", signInLink());
      } else if (waiting.length) {
        say((waiting.length === 1 ? "1 rapport" : waiting.length + " rapporter") + ": " + STATES.waiting + "." + more);
      } else if (mine.some(function (e) { return e.state === "invalid"; })) {
        say("En rapport skickades inte: öppna den i formuläret och rätta den." + more);
      } else if (mine.length) {
        say(STATES.sent + "." + more);
      } else {
        say(extra || "");
        box.hidden = !extra;
      }
      list.textContent = "";
      mine.forEach(function (entry) { list.appendChild(item(entry)); });
      list.hidden = !mine.length;
      elsewhere.textContent = others ? others + " rapport(er) som någon annan skrev på den här telefonen väntar tills den personen loggar in." : "";
      elsewhere.hidden = !others;
    });
  }

  // --- Sending ----------------------------------------------------------------------------

  function me() {
    var token = form.querySelector('input[name="csrf_token"]');
    return token ? { token: token.value, owner: owner } : null;
  }

  function send() {
    if (navigator.onLine === false) return show();
    return EstQueue.flush(me()).then(function () { return show(); }, function () { return show(); });
  }

  // A report in state "invalid" back in the form, through the server, which shows it with
  // its errors beside the fields (the page's token may be old: a fresh one is asked for).
  function openInForm(key) {
    Promise.all([EstQueue.get(key), copy ? EstQueue.signedIn() : Promise.resolve(me())]).then(function (got) {
      var entry = got[0];
      var who = got[1];
      if (!entry) return show();
      if (!who) return show("Logga in igen först.");
      var post = element("form", { method: "post", action: "/rapportera", hidden: "" });
      entry.fields.concat([["csrf_token", who.token]]).forEach(function (pair) {
        if (pair[0] === "atgard") return;
        post.appendChild(element("input", { type: "hidden", name: pair[0], value: pair[1] }));
      });
      post.appendChild(element("input", { type: "hidden", name: "atgard", value: "skicka" }));
      document.body.appendChild(post);
      // Now in the form: kept by the server's answer, or by the worker if the request fails.
      return EstQueue.remove(key).then(function () { post.submit(); });
    }, function () { show("Ingen anslutning just nu."); });
  }

  // Whether the worker has the page to show without a connection.
  function keptPage() {
    if (!navigator.serviceWorker || !navigator.serviceWorker.controller || !window.caches) {
      return Promise.resolve(false);
    }
    return caches.match("/rapportera").then(Boolean, function () { return false; });
  }

  function pairsOf(submitter) {
    var data;
    try { data = new FormData(form, submitter || undefined); } catch (e) { data = new FormData(form); }
    var pairs = [];
    // The photos too, only for EstQueue.keep to tell that they are not kept.
    data.forEach(function (v, name) { pairs.push([name, v]); });
    if (!submitter) pairs.push(["atgard", "skicka"]);
    return pairs;
  }

  function sameReport(a, b) {
    function content(pairs) {
      return JSON.stringify(pairs.filter(function (p) {
        return p[0] !== "nyckel" && p[0] !== "csrf_token" && typeof p[1] === "string";
      }));
    }
    return content(a) === content(b);
  }

  form.addEventListener("submit", function (event) {
    if (event.defaultPrevented) return;
    var submitter = event.submitter;
    var action = submitter && submitter.name === "atgard" ? submitter.value : "skicka";
    var offline = navigator.onLine === false;
    if (action !== "skicka") {
      if (offline) {
        event.preventDefault();
        show("Utan anslutning går det inte att lägga till eller ta bort händelser: skicka det du har skrivit.");
      }
      return;
    }
    if (!offline && !copy) return;
    event.preventDefault();
    if (busy) return;
    busy = true;
    var pairs = pairsOf(submitter);
    EstQueue.all().then(function (entries) {
      var twice = entries.filter(function (e) { return e.state !== "sent" && sameReport(e.fields, pairs); })[0];
      if (twice) return twice;
      var key = field("nyckel").value;
      if (entries.some(function (e) { return e.key === key; })) {
        // This key went with another report: this one is new.
        key = newKey();
        pairs = pairs.map(function (p) { return p[0] === "nyckel" ? ["nyckel", key] : p; });
      }
      return EstQueue.keep(pairs, owner);
    }).then(function () {
      field("nyckel").value = newKey();
      return keptPage();
    }).then(function (kept) {
      if (kept) {
        navigator.serviceWorker.ready.then(function (registration) {
          return registration.sync ? registration.sync.register("est-rapportera") : null;
        }).catch(function () {});
        // A clean form from the kept copy, with the report listed as waiting; Back does
        // not lead to the filled-in form again.
        try { sessionStorage.setItem("est-sparad", "1"); } catch (e) { /* private mode */ }
        location.replace("/rapportera");
        return null;
      }
      busy = false;
      return copy && !offline ? send() : show("Rapporten är sparad på telefonen.");
    }).catch(function () {
      busy = false;
      show("Rapporten kunde inte sparas på telefonen. Låt sidan vara öppen och skicka igen när du har anslutning.");
    });
  });

  // --- Photos ------------------------------------------------------------------------------

  // Said beside each photo field while there is no connection (data-offline-photo).
  function photoNotes() {
    var off = copy || navigator.onLine === false;
    form.querySelectorAll("[data-offline-photo]").forEach(function (note) { note.hidden = !off; });
  }

  photoNotes();
  window.addEventListener("online", photoNotes);
  window.addEventListener("offline", photoNotes);
  document.body.addEventListener("htmx:load", photoNotes);

  // --- When to send -----------------------------------------------------------------------

  window.addEventListener("online", send);
  if (EstQueue.channel) EstQueue.channel.onmessage = function () { show(); };
  var saved = false;
  try { saved = sessionStorage.getItem("est-sparad") === "1"; sessionStorage.removeItem("est-sparad"); } catch (e) { /* private mode */ }
  show(saved ? "Rapporten är sparad på telefonen." : "").then(send);
  // A server that was down comes back without an `online` event.
  setInterval(function () {
    EstQueue.all().then(function (entries) {
      if (entries.some(function (e) { return e.state === "waiting"; })) send();
    });
  }, 60000);
})();
