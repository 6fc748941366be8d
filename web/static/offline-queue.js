// Reports kept on the phone until they can be sent: shared by the report page (offline.js)
// and its service worker (sw.js), which both send them.
//
// A report is kept in IndexedDB as the form's fields (name/value pairs, without the CSRF
// token, which may be stale by the time it is sent) under its `nyckel`. It is sent by
// POSTing the same fields to /rapportera with the same `nyckel`, which the web passes to the
// API as the Idempotency-Key: however often it is sent, from however many tabs, it is filed
// once. Nothing is ever dropped here: a report leaves the phone only when the server has
// filed it, or when the person chooses to open it in the form or to delete it.
"use strict";

var EstQueue = (function () {
  var DB = "est-rapportera";
  var STORE = "rapporter";
  // Sent reports stay listed (with a link) this long.
  var KEEP_SENT_MS = 24 * 60 * 60 * 1000;
  var channel = typeof BroadcastChannel === "function" ? new BroadcastChannel("est-rapportera") : null;

  function open() {
    return new Promise(function (resolve, reject) {
      var request = indexedDB.open(DB, 1);
      request.onupgradeneeded = function () {
        request.result.createObjectStore(STORE, { keyPath: "key" });
      };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }

  function run(mode, work) {
    return open().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(STORE, mode);
        var result = work(tx.objectStore(STORE));
        tx.oncomplete = function () { db.close(); resolve(result && "result" in result ? result.result : undefined); };
        tx.onerror = function () { db.close(); reject(tx.error); };
      });
    });
  }

  function all() { return run("readonly", function (store) { return store.getAll(); }); }
  function get(key) { return run("readonly", function (store) { return store.get(key); }); }
  function remove(key) { return run("readwrite", function (store) { store.delete(key); }).then(changed); }
  function put(entry) { return run("readwrite", function (store) { store.put(entry); }).then(changed); }

  function changed() {
    // The other tabs and the worker show the lists again.
    if (channel) channel.postMessage("changed");
  }

  // A form's fields as kept: [name, value] pairs, without the CSRF token. A photo chosen is
  // no text and is not kept: the entry says so (`withoutPhotos`), for the list to tell.
  function keep(pairs, owner) {
    var fields = pairs.filter(function (pair) { return pair[0] !== "csrf_token" && typeof pair[1] === "string"; });
    var withoutPhotos = pairs.some(function (pair) { return typeof pair[1] !== "string" && pair[1] && pair[1].size > 0; });
    var key = "";
    fields.forEach(function (pair) { if (pair[0] === "nyckel") key = pair[1]; });
    var entry = { key: key, fields: fields, owner: owner || null, saved: Date.now(), state: "waiting" };
    if (withoutPhotos) entry.withoutPhotos = true;
    return put(entry).then(function () { return entry; });
  }

  function sendable(entry, owner) {
    return (entry.state === "waiting" || entry.state === "signin") &&
      !(entry.owner && owner && entry.owner !== owner);
  }

  // The CSRF token and the signed-in person of a fresh report page, or null when signed out.
  // Rejects without a connection.
  function signedIn() {
    return fetch("/rapportera", { credentials: "same-origin", cache: "no-store" }).then(function (response) {
      if (!response.ok || new URL(response.url).pathname !== "/rapportera") return null;
      return response.text().then(function (html) {
        var token = /name="csrf_token" value="([^"]+)"/.exec(html);
        var owner = /data-owner="([^"]*)"/.exec(html);
        return token ? { token: token[1], owner: owner ? owner[1] : null } : null;
      });
    });
  }

  // One report sent once: the outcome as the entry's new state. Rejects without a connection.
  function post(entry, token) {
    var body = new URLSearchParams();
    entry.fields.forEach(function (pair) {
      if (pair[0] !== "atgard") body.append(pair[0], pair[1]);
    });
    body.set("csrf_token", token);
    body.set("atgard", "skicka");
    return fetch("/rapportera", {
      method: "POST", body: body, credentials: "same-origin", cache: "no-store", redirect: "follow",
    }).then(function (response) {
      var path = new URL(response.url).pathname;
      var filed = /^\/rapporter\/(\d+)$/.exec(path);
      if (response.ok && filed) return { state: "sent", report: path, reportId: filed[1] };
      if (path.indexOf("/logga-in") === 0 || response.status === 401 || response.status === 403) {
        return { state: "signin" };
      }
      if (response.status === 409 || response.status === 422 || response.status === 400) {
        return response.text().then(function (html) {
          var said = /class="form-error"[^>]*>([^<]+)</.exec(html);
          return { state: "invalid", message: said ? said[1] : "" };
        });
      }
      // The server is busy or down: as without a connection, try again later.
      return { state: "waiting" };
    });
  }

  // Sends every waiting report of `me` ({token, owner}, or null: ask the server); one sender
  // at a time across tabs and the worker (Web Locks), and each report read again just before
  // it is sent, so that one another sender has sent is not sent again.
  // Resolves {sent, signin, offline}.
  function flush(me) {
    var outcome = { sent: 0, signin: false, offline: false };
    var refreshed = false;

    function current() {
      if (me) return Promise.resolve(me);
      refreshed = true;
      return signedIn().then(function (fresh) { me = fresh; return fresh; });
    }

    function one(entry) {
      return post(entry, me.token).then(function (result) {
        if (result.state !== "signin" || refreshed) return result;
        // The page's token may be older than the session (signed in again since): once
        // more with a fresh one.
        me = null;
        return current().then(function (who) {
          return who && sendable(entry, who.owner) ? one(entry) : result;
        });
      });
    }

    function next(keys) {
      if (!keys.length) return Promise.resolve();
      return get(keys[0]).then(function (entry) {
        if (!entry || !sendable(entry, null)) return next(keys.slice(1));
        return current().then(function (who) {
          // Written by someone else signed in on this phone: sent when they are again.
          if (who && !sendable(entry, who.owner)) return next(keys.slice(1));
          return (who ? one(entry) : Promise.resolve({ state: "signin" })).then(function (result) {
            var updated = Object.assign({}, entry, result, { tried: Date.now() });
            if (!updated.owner && who) updated.owner = who.owner;
            if (result.state === "sent") { updated.sent = Date.now(); outcome.sent += 1; }
            if (result.state === "signin") outcome.signin = true;
            return put(updated).then(function () {
              // Signed out: the others would be refused as well.
              return result.state === "signin" ? null : next(keys.slice(1));
            });
          });
        });
      });
    }

    function work() {
      return all().then(function (entries) {
        var now = Date.now();
        var stale = entries.filter(function (e) { return e.state === "sent" && now - e.sent > KEEP_SENT_MS; });
        var keys = entries.filter(function (e) { return sendable(e, null); }).map(function (e) { return e.key; });
        return Promise.all(stale.map(function (e) { return remove(e.key); })).then(function () {
          return next(keys);
        });
      }).then(function () { return outcome; }, function (error) {
        if (error instanceof TypeError) { outcome.offline = true; return outcome; }
        throw error;
      });
    }

    if (self.navigator && navigator.locks) {
      return navigator.locks.request("est-rapportera-skicka", work);
    }
    return work();
  }

  return {
    all: all, get: get, put: put, remove: remove, keep: keep, flush: flush, sendable: sendable,
    signedIn: signedIn, post: post, channel: channel,
  };
})();
