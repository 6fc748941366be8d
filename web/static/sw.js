// The report page's service worker (served as /sw.js, registered by offline.js with the scope
// /rapportera): the page opens without a connection, and a report sent without one is kept
// on the phone (offline-queue.js) and sent when the connection is back.
//
// - The page itself: from the network when it answers (within NAVIGATION_TIMEOUT_MS), and
//   then kept; otherwise the kept copy, marked on <body> with data-offline-copy, so that the
//   page gives the form a fresh nyckel and the time it was opened (offline.js).
// - Its static files: kept when the page is installed and each time they are fetched;
//   versioned ones (?v=) from the copy, the others from the network first.
// - A report sent when the phone thought it had a connection but the request failed (or
//   the server answered that it could not take it now): kept, and the person is shown the
//   page with the report waiting, rather than the browser's error page.
// - Background Sync, where the browser has it: the waiting reports are sent even when the
//   page is closed.
"use strict";

importScripts("/static/offline-queue.js");

var CACHE = "est-rapportera-v1";
var SHELL = "/rapportera";
var SYNC_TAG = "est-rapportera";
var NAVIGATION_TIMEOUT_MS = 10000;

self.addEventListener("install", function (event) {
  event.waitUntil(keepShell().catch(function () {}).then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (name) {
      return name.indexOf("est-rapportera-") === 0 && name !== CACHE;
    }).map(function (name) { return caches.delete(name); }));
  }).then(function () { return self.clients.claim(); }));
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate" && url.pathname === SHELL) {
    if (request.method === "GET") event.respondWith(reportPage(event));
    else if (request.method === "POST") event.respondWith(filing(request));
    return;
  }
  if (request.method === "GET" && url.pathname.indexOf("/static/") === 0) {
    event.respondWith(asset(event, url));
  }
});

self.addEventListener("sync", function (event) {
  if (event.tag !== SYNC_TAG) return;
  event.waitUntil(EstQueue.flush(null).then(function (outcome) {
    // Rejected, the browser tries again later.
    if (outcome.offline) throw new Error("no connection");
  }));
});

// The page and the static files it names, as they are now.
function keepShell() {
  return fetch(SHELL, { credentials: "same-origin", cache: "no-store" }).then(function (response) {
    if (!isPage(response)) return null;
    return keep(SHELL, response.clone()).then(function () { return response.text(); }).then(keepAssets);
  });
}

// The static files a text names (the page; and the scripts it names, which may write more
// <script> tags: the local copies of htmx and Leaflet when the CDN cannot be reached).
function keepAssets(text, deeper) {
  var found = {};
  var pattern = /(?:src|href)="(\/static\/[^"]+)"/g;
  var match;
  while ((match = pattern.exec(text))) found[match[1].replace(/&amp;/g, "&")] = true;
  return caches.open(CACHE).then(function (cache) {
    return Promise.all(Object.keys(found).map(function (path) {
      return cache.match(path).then(function (had) {
        return had || cache.add(path).then(function () { return cache.match(path); });
      }).then(function (kept) {
        if (deeper === false || !/\.js(\?|$)/.test(path)) return null;
        return kept.text().then(function (script) { return keepAssets(script, false); });
      }).catch(function () {});
    }));
  });
}

function keep(key, response) {
  return caches.open(CACHE).then(function (cache) { return cache.put(key, response); });
}

function isPage(response) {
  // Not the sign-in page it was sent on to, nor an error.
  return response.ok && response.type === "basic" && new URL(response.url).pathname === SHELL;
}

function reportPage(event) {
  var network = fetch(event.request);
  // Kept for next time, even when it comes after the kept copy was shown.
  event.waitUntil(network.then(function (response) {
    if (!isPage(response)) return null;
    var copy = response.clone();
    return keep(SHELL, copy.clone()).then(function () { return copy.text(); }).then(keepAssets);
  }).catch(function () {}));
  var late = new Promise(function (resolve) { setTimeout(resolve, NAVIGATION_TIMEOUT_MS); });
  return Promise.race([network, late]).then(function (response) {
    // The server down or overloaded: the kept copy lets the report be written and kept.
    if (response && response.status >= 500) return keptPage(response);
    return response || keptPage();
  }, function () { return keptPage(); });
}

function keptPage(otherwise) {
  return caches.open(CACHE).then(function (cache) { return cache.match(SHELL); }).then(function (kept) {
    if (!kept) return otherwise || offlinePage();
    return kept.text().then(function (html) {
      var headers = new Headers(kept.headers);
      headers.delete("content-length");
      return new Response(html.replace("<body", "<body data-offline-copy"), { status: 200, headers: headers });
    });
  });
}

function offlinePage() {
  var body = '<!doctype html><html lang="sv"><head><meta charset="utf-8">' +
    '<meta name="viewport" content="width=device-width, initial-scale=1">' +
    "<title>Ingen anslutning · EST Lägesbild</title></head><body><main>" +
    "<h1>Ingen anslutning</h1><p>Sidan har inte sparats på telefonen än. " +
    'Öppna <a href="/rapportera">Rapportera</a> igen när du har anslutning.</p></main></body></html>';
  return new Response(body, { status: 503, headers: { "Content-Type": "text/html; charset=utf-8" } });
}

// A report sent by the form itself (the page thought it was online): to the server, or,
// when the request fails, kept on the phone.
// The same when the server answers that it could not take it now (overloaded, or the web
// could not reach the API): such a request has filed nothing, or, if the API did file it,
// sending it again with the same key files nothing new.
function filing(request) {
  var copy = request.clone();
  return fetch(request).then(function (response) {
    if ([502, 503, 504].indexOf(response.status) < 0) return response;
    return keepFiling(copy.clone(), response);
  }, function (error) {
    return keepFiling(copy, null).catch(function () { throw error; });
  });
}

function keepFiling(request, answer) {
  return request.formData().then(function (form) {
    var action = form.get("atgard") || "skicka";
    // Adding or removing an incident needs the server; the form is still there (Back).
    if (action !== "skicka") return answer || offlinePage();
    var pairs = [];
    form.forEach(function (value, name) { pairs.push([name, value]); });
    return EstQueue.keep(pairs, null).then(function () {
      var sync = self.registration.sync;
      return sync ? sync.register(SYNC_TAG).catch(function () {}) : null;
    }).then(function () {
      return Response.redirect(SHELL, 303);
    });
  });
}

function asset(event, url) {
  function fromNetwork() {
    return fetch(event.request).then(function (response) {
      if (response.ok && response.type === "basic") {
        event.waitUntil(keep(event.request, response.clone()));
      }
      return response;
    });
  }
  function fromCache() {
    return caches.match(event.request);
  }
  if (/(^|&|\?)v=/.test(url.search)) {
    return fromCache().then(function (kept) { return kept || fromNetwork(); });
  }
  return fromNetwork().catch(function () {
    return fromCache().then(function (kept) { return kept || Response.error(); });
  });
}
