// Onsplan's service worker. Served by the server with `Cache-Control:
// no-cache` and this build's version in place of the marker below, so a new
// deployment is a new worker.
"use strict";
const VERSION = "__ONSPLAN_VERSION__";

// This build's files, kept for offline use; replaced with each version.
const STATIC = "onsplan-static-" + VERSION;
const PRECACHE = [
  "/style.css",
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
  if (event.data === "skip-waiting") self.skipWaiting();
  if (event.data === "claim") event.waitUntil(self.clients.claim());
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
