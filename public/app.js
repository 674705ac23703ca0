// Onsplan on this device: installs the service worker, and runs the
// notifications card of the settings page. Every word shown is already on
// the page, in the reader's language: this script only chooses which.
// Without it, every page works the same; only notifications need it.
(function () {
  "use strict";

  var worker = null;
  if ("serviceWorker" in navigator) {
    worker = navigator.serviceWorker.register("/sw.js", { scope: "/" });
    worker.then(offerUpdate).catch(function () {});
    navigator.serviceWorker.ready.then(function (reg) {
      if (!navigator.serviceWorker.controller && reg.active) reg.active.postMessage("claim");
    });
  }

  // A new version is deployed: say so, and reload when the person wants.
  function offerUpdate(reg) {
    var note = document.getElementById("update-note");
    if (!note) return;
    function waiting(w) {
      note.hidden = false;
      note.querySelector("[data-update-reload]").onclick = function () {
        w.postMessage("skip-waiting");
      };
    }
    if (reg.waiting && navigator.serviceWorker.controller) waiting(reg.waiting);
    reg.addEventListener("updatefound", function () {
      var w = reg.installing;
      if (!w) return;
      w.addEventListener("statechange", function () {
        if (w.state === "installed" && navigator.serviceWorker.controller) waiting(w);
      });
    });
    var reloading = false;
    navigator.serviceWorker.addEventListener("controllerchange", function () {
      if (reloading || note.hidden) return;
      reloading = true;
      window.location.reload();
    });
  }

  // Signing out: nothing of the family stays on this phone (the server's
  // Clear-Site-Data does the same where the browser supports it).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form || form.getAttribute("action") !== "/api/sign-out" || !window.caches) return;
    event.preventDefault();
    caches
      .keys()
      .then(function (names) { return Promise.all(names.map(function (n) { return caches.delete(n); })); })
      .catch(function () {})
      .then(function () {
        if (window.indexedDB) indexedDB.deleteDatabase("onsplan");
        form.submit();
      });
  });

  var card = document.getElementById("notifications");
  if (!card) return;

  function show(state) {
    var all = card.querySelectorAll("[data-push-state]");
    for (var i = 0; i < all.length; i++) {
      all[i].hidden = all[i].getAttribute("data-push-state") !== state;
    }
  }
  function say(key) {
    var text = card.querySelector('[data-push-text="' + key + '"]');
    card.querySelector("[data-push-message]").textContent = text ? text.textContent : "";
  }
  function button(action) {
    return card.querySelector('[data-push-action="' + action + '"]');
  }
  var form = card.querySelector("[data-push-form]");

  // A server function, called as the pages' own script (JSON answers).
  function call(name, fields) {
    return fetch("/api/" + name, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(fields || {}),
    }).then(function (r) {
      if (!r.ok) throw new Error("status " + r.status);
      return r.json();
    });
  }

  function key(text) {
    var b64 = text.replace(/-/g, "+").replace(/_/g, "/");
    b64 += "===".slice((b64.length + 3) % 4);
    var raw = atob(b64);
    var bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
    return bytes;
  }

  function kindsOff() {
    var off = [];
    var boxes = form.querySelectorAll('input[name="kind"]');
    for (var i = 0; i < boxes.length; i++) if (!boxes[i].checked) off.push(boxes[i].value);
    return off.join(",");
  }

  function on(subscribed) {
    show(subscribed ? "on" : "");
    form.hidden = false;
    button("on").hidden = subscribed;
    button("save").hidden = !subscribed;
    button("test").hidden = !subscribed;
    button("off").hidden = !subscribed;
  }

  var ios = /iPad|iPhone|iPod/.test(navigator.userAgent);
  var standalone = window.matchMedia && window.matchMedia("(display-mode: standalone)").matches;
  if (!worker || !("PushManager" in window) || !("Notification" in window)) {
    show(ios && !standalone ? "ios" : "unsupported");
    return;
  }
  if (Notification.permission === "denied") {
    show("blocked");
    return;
  }

  function registration() {
    return navigator.serviceWorker.ready;
  }

  function tell(sub) {
    var json = sub.toJSON();
    return call("push-subscribe", {
      endpoint: json.endpoint,
      p256dh: json.keys.p256dh,
      auth: json.keys.auth,
      kinds_off: kindsOff(),
    });
  }

  // What this device has now: its subscription, and the kinds it turned off.
  registration()
    .then(function (reg) { return reg.pushManager.getSubscription(); })
    .then(function (sub) {
      if (!sub) return on(false);
      return call("push-settings", { endpoint: sub.endpoint })
        .then(function (off) {
          var list = String(off).split(",");
          var boxes = form.querySelectorAll('input[name="kind"]');
          for (var i = 0; i < boxes.length; i++) boxes[i].checked = list.indexOf(boxes[i].value) < 0;
          on(true);
        })
        // Subscribed for someone else on this browser: not for this person.
        .catch(function () { on(false); });
    })
    .catch(function () { show("unsupported"); });

  button("on").addEventListener("click", function () {
    Notification.requestPermission().then(function (answer) {
      if (answer !== "granted") {
        show(answer === "denied" ? "blocked" : "");
        return;
      }
      return registration()
        .then(function (reg) {
          return reg.pushManager.subscribe({
            userVisibleOnly: true,
            applicationServerKey: key(card.getAttribute("data-push-key")),
          });
        })
        .then(tell)
        .then(function () { on(true); say("saved"); });
    }).catch(function () { say("failed"); });
  });

  button("save").addEventListener("click", function () {
    registration()
      .then(function (reg) { return reg.pushManager.getSubscription(); })
      .then(function (sub) { if (sub) return tell(sub); })
      .then(function () { say("saved"); })
      .catch(function () { say("failed"); });
  });

  button("test").addEventListener("click", function () {
    registration()
      .then(function (reg) { return reg.pushManager.getSubscription(); })
      .then(function (sub) { return call("push-test", { endpoint: sub.endpoint }); })
      .then(function () { say("test"); })
      .catch(function () { say("failed"); });
  });

  button("off").addEventListener("click", function () {
    registration()
      .then(function (reg) { return reg.pushManager.getSubscription(); })
      .then(function (sub) {
        if (!sub) return;
        return call("push-unsubscribe", { endpoint: sub.endpoint }).then(function () {
          return sub.unsubscribe();
        });
      })
      .then(function () { on(false); say("off"); })
      .catch(function () { say("failed"); });
  });
})();
