// Onsplan's service worker. Served by the server with `Cache-Control:
// no-cache` and this build's version in place of the marker below, so a new
// deployment is a new worker.
"use strict";
const VERSION = "__ONSPLAN_VERSION__";

// This build's files, kept for offline use; replaced with each version.
const STATIC = "onsplan-static-" + VERSION;
const PRECACHE = [
  "/app.js",
  "/passkey.js",
  "/icon.svg",
  "/icon-192.png",
  "/manifest.webmanifest",
  "/offline",
  "/pkg/onsplan.js",
  "/pkg/onsplan_bg.wasm",
];
// The signed-in member's pages, as last seen online: "Our plan", each
// question, "Who looked". Emptied at sign-out (the server's Clear-Site-Data
// and app.js), and when the server says the session ended.
const PAGES = "onsplan-pages";

function kept(path) {
  return (
    path === "/plan" ||
    path === "/plan/looked" ||
    /^\/plan\/question\/[a-z2-7]{26}$/.test(path)
  );
}

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(STATIC).then(function (cache) {
      // One file missing (a build without islands) keeps the others.
      return Promise.all(
        PRECACHE.map(function (url) {
          return cache.add(new Request(url, { credentials: "same-origin", cache: "reload" })).catch(function () {});
        })
      );
    })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches
      .keys()
      .then(function (names) {
        return Promise.all(
          names
            .filter(function (n) { return n.indexOf("onsplan-static-") === 0 && n !== STATIC; })
            .map(function (n) { return caches.delete(n); })
        );
      })
      .then(function () { return self.clients.claim(); })
  );
});

// The page's "reload" button: the new version takes over now.
// A page that loaded while the worker was being replaced or restored
// (a sign-in clears the site's storage) asks to be taken, so that it too
// is kept for offline use.
self.addEventListener("message", function (event) {
  const data = event.data;
  if (data === "skip-waiting") self.skipWaiting();
  if (data === "claim") event.waitUntil(self.clients.claim());
  const port = event.ports && event.ports[0];
  const reply = function (value) { if (port) port.postMessage(value); };
  if (data && (data.type === "answer" || data.type === "message")) {
    event.waitUntil(
      keep(data.item)
        .then(function () { return flushing; })
        .then(flush)
        .then(reply, function () { reply({ waiting: [], refused: [] }); })
    );
  }
  // The reader removes a refused message they have seen.
  if (data && data.type === "remove" && typeof data.key === "string") {
    event.waitUntil(
      store("readwrite", function (s) { return s.delete(data.key); })
        .then(function () { return flushing; })
        .then(flush)
        .then(reply, function () { reply({ waiting: [], refused: [] }); })
    );
  }
  if (data && data.type === "flush") {
    event.waitUntil(flush().then(reply, function () { reply({ waiting: [], refused: [] }); }));
  }
});

// The outbox: answers, and messages written while the connection was
// gone, wait here (IndexedDB) until the server has them. Each carries a key made on the phone; the server does a
// key once, so sending again after a lost answer never doubles it.
function outbox() {
  return new Promise(function (resolve, reject) {
    const open = indexedDB.open("onsplan", 1);
    open.onupgradeneeded = function () { open.result.createObjectStore("outbox", { keyPath: "key" }); };
    open.onsuccess = function () { resolve(open.result); };
    open.onerror = function () { reject(open.error); };
  });
}

function store(mode, work) {
  return outbox().then(function (db) {
    return new Promise(function (resolve, reject) {
      const tx = db.transaction("outbox", mode);
      const result = work(tx.objectStore("outbox"));
      tx.oncomplete = function () { db.close(); resolve(result && result.result); };
      tx.onerror = function () { db.close(); reject(tx.error); };
    });
  });
}

function keep(item) {
  return store("readwrite", function (s) { return s.put(item); });
}

let flushing = null;

// Sends what waits, oldest first. Answers `{waiting, refused, messages}`:
// the questions still waiting, those the server refused (shown once), and
// the messages not sent yet or refused (`state`), with their thread and
// text for the thread's page.
function flush() {
  if (flushing) return flushing;
  flushing = store("readonly", function (s) { return s.getAll(); })
    .then(function (items) {
      items = (items || []).sort(function (a, b) { return a.at - b.at; });
      const outcome = { waiting: [], refused: [], messages: [] };
      let offline = false;
      // A message: sent with its key (the server keeps one message per
      // key, so a send whose answer was lost is never a second message).
      const sendMessage = function (item) {
        const said = function (state) {
          outcome.messages.push({ key: item.key, thread: item.thread, text: item.text, state: state });
        };
        // Refused before: kept (with its text) until the reader removes
        // it on the thread's page, never sent again.
        if (item.refused) return said("refused");
        if (offline) return said("waiting");
        return fetch(item.action, {
          method: "POST",
          credentials: "same-origin",
          redirect: "manual",
          headers: { "Content-Type": "application/x-www-form-urlencoded" },
          body: new URLSearchParams(item.fields),
        }).then(
          function (r) {
            if (r.ok || r.type === "opaqueredirect") {
              return store("readwrite", function (s) { return s.delete(item.key); });
            }
            if (r.status === 401 || r.status === 429 || r.status >= 500) return said("waiting");
            // Refused (the thread ended, …): not sent again, and not lost
            // either: it stays, marked, until the reader has seen it on
            // the thread's page and removes it (a refusal during
            // Background Sync, or on another page, finds nobody looking).
            said("refused");
            item.refused = true;
            return keep(item);
          },
          function () {
            offline = true;
            said("waiting");
          }
        );
      };
      return items
        .reduce(function (done, item) {
          return done.then(function () {
            if (item.kind === "message") return sendMessage(item);
            if (item.refused) {
              outcome.refused.push(item.question);
              return store("readwrite", function (s) { return s.delete(item.key); });
            }
            if (offline) {
              outcome.waiting.push(item.question);
              return;
            }
            return fetch("/api/answer", {
              method: "POST",
              credentials: "same-origin",
              redirect: "manual",
              headers: { "Content-Type": "application/x-www-form-urlencoded" },
              body: new URLSearchParams({
                family: item.family,
                question: item.question,
                answer: item.answer,
                key: item.key,
              }),
            }).then(
              function (r) {
                if (r.ok || r.type === "opaqueredirect") {
                  return store("readwrite", function (s) { return s.delete(item.key); });
                }
                if (r.status === 401 || r.status === 429 || r.status >= 500) {
                  // Signed out, busy or down: it waits (a sign-in clears it).
                  outcome.waiting.push(item.question);
                  return;
                }
                outcome.refused.push(item.question);
                return store("readwrite", function (s) { return s.delete(item.key); });
              },
              function () {
                offline = true;
                outcome.waiting.push(item.question);
              }
            );
          });
        }, Promise.resolve())
        .then(function () {
          if ((outcome.waiting.length || outcome.messages.some(function (m) { return m.state === "waiting"; }))
              && self.registration.sync) {
            return self.registration.sync.register("outbox").catch(function () {}).then(function () {
              return outcome;
            });
          }
          return outcome;
        });
    })
    .finally(function () { flushing = null; });
  return flushing;
}

// Background Sync, where the browser has it (Chromium): the outbox goes
// when the connection returns, also with Onsplan closed.
self.addEventListener("sync", function (event) {
  if (event.tag === "outbox") event.waitUntil(flush());
});

// A kept copy, shown offline: its "saved on …, you are offline" note
// (already on the page, in the reader's language) is unhidden.
function offlineCopy(response) {
  return response.text().then(function (html) {
    return new Response(html.replace("data-offline hidden", "data-offline"), {
      headers: { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store" },
    });
  });
}

function page(request) {
  const path = new URL(request.url).pathname;
  return fetch(request)
    .then(function (response) {
      if (kept(path)) {
        return caches.open(PAGES).then(function (cache) {
          if (response.ok && !response.redirected) {
            return cache.put(path, response.clone()).then(function () { return response; });
          }
          // Signed out, or no longer there: nothing of it is kept.
          if (response.status === 401) {
            return caches.delete(PAGES).then(function () { return response; });
          }
          return cache.delete(path).then(function () { return response; });
        });
      }
      return response;
    })
    .catch(function () {
      return caches
        .match(path, { cacheName: PAGES })
        .then(function (hit) {
          if (hit) return offlineCopy(hit);
          return caches.match("/offline").then(function (offline) {
            return offline || Response.error();
          });
        });
    });
}

self.addEventListener("fetch", function (event) {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate") {
    event.respondWith(page(request));
    return;
  }
  if (PRECACHE.indexOf(url.pathname) >= 0 && url.pathname !== "/offline") {
    // This build's files: from the cache, else the network.
    event.respondWith(
      caches.match(url.pathname).then(function (hit) { return hit || fetch(request); })
    );
  }
});

// A push carries a random id, a kind and one fixed sentence in the
// reader's language; never a name or content. A newer notice of a kind
// replaces the older one still shown.
self.addEventListener("push", function (event) {
  let data = {};
  try {
    data = event.data ? event.data.json() : {};
  } catch (e) {
    data = {};
  }
  const title = typeof data.text === "string" && data.text ? data.text : "Onsplan";
  event.waitUntil(
    self.registration.showNotification(title, {
      tag: "onsplan-" + (data.kind || "notice"),
      renotify: true,
      lang: data.lang || "",
      dir: data.dir === "rtl" ? "rtl" : "ltr",
      icon: "/icon-192.png",
      badge: "/icon-192.png",
      data: { id: typeof data.id === "string" ? data.id : "" },
    })
  );
});

// Opening a notice asks the server where it leads, now: a family the
// person may no longer open leads to their own start page.
self.addEventListener("notificationclick", function (event) {
  event.notification.close();
  const id = (event.notification.data || {}).id;
  const url = id ? "/n/" + encodeURIComponent(id) : "/";
  event.waitUntil(
    self.clients.matchAll({ type: "window", includeUncontrolled: true }).then(function (list) {
      for (const client of list) {
        if ("navigate" in client) {
          return client.navigate(url).then(function (c) {
            return c ? c.focus() : self.clients.openWindow(url);
          });
        }
      }
      return self.clients.openWindow(url);
    })
  );
});
