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
    function track(w) {
      if (!w) return;
      w.addEventListener("statechange", function () {
        if (w.state === "installed" && navigator.serviceWorker.controller) waiting(w);
      });
    }
    if (reg.waiting && navigator.serviceWorker.controller) waiting(reg.waiting);
    // One already installing when this script started (it loads after the
    // page's first frame), and any found later.
    track(reg.installing);
    reg.addEventListener("updatefound", function () { track(reg.installing); });
    var reloading = false;
    navigator.serviceWorker.addEventListener("controllerchange", function () {
      if (reloading || note.hidden) return;
      reloading = true;
      window.location.reload();
    });
  }

  // (The back button's stale page is reloaded by the page's own inline
  // loader, which is there before this script.)

  // "Onsplan on your home screen": one tap where the browser offers to
  // install, and a plain "it is there" once Onsplan runs from there.
  var installNow = document.querySelector("[data-install-now]");
  if (installNow) {
    var standalone = window.matchMedia && window.matchMedia("(display-mode: standalone)").matches;
    if (standalone || navigator.standalone) {
      document.querySelector("[data-install-done]").hidden = false;
    }
    window.addEventListener("beforeinstallprompt", function (event) {
      event.preventDefault();
      installNow.hidden = false;
      installNow.onclick = function () {
        installNow.hidden = true;
        event.prompt();
      };
    });
    window.addEventListener("appinstalled", function () {
      installNow.hidden = true;
      document.querySelector("[data-install-done]").hidden = false;
    });
  }

  // Someone arriving to sign in or join: whatever a previous person left
  // on this phone (pages kept for offline use, answers waiting) goes, so a
  // shared phone shows each person only their own.
  if (/^\/(sign-in|join)$/.test(location.pathname) && window.caches) {
    caches.delete("onsplan-pages").catch(function () {});
    if (window.indexedDB) indexedDB.deleteDatabase("onsplan");
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

  // The outbox: an answer is handed to the service worker, which keeps it
  // on the phone until the server has it (also offline). Without a worker
  // the form posts as it does without JavaScript.
  function ask(message) {
    return new Promise(function (resolve) {
      var worker = navigator.serviceWorker && navigator.serviceWorker.controller;
      if (!worker) return resolve(null);
      var channel = new MessageChannel();
      channel.port1.onmessage = function (event) { resolve(event.data); };
      worker.postMessage(message, [channel.port2]);
      setTimeout(function () { resolve(null); }, 20000);
    });
  }
  function showOutbox(outcome, question) {
    if (!outcome) return;
    var here = question || (location.pathname.match(/^\/plan\/question\/([a-z2-7]{26})$/) || [])[1];
    var mine = function (list) { return here ? list.indexOf(here) >= 0 : list.length > 0; };
    var waiting = document.getElementById("outbox-waiting");
    var refused = document.getElementById("outbox-refused");
    if (waiting) waiting.hidden = !mine(outcome.waiting);
    if (refused) refused.hidden = !mine(outcome.refused);
  }
  function requestKey() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form || form.getAttribute("action") !== "/api/answer") return;
    if (!navigator.serviceWorker || !navigator.serviceWorker.controller) return;
    event.preventDefault();
    var fields = new FormData(form);
    var button = event.submitter;
    var item = {
      key: requestKey(),
      family: String(fields.get("family") || ""),
      question: String(fields.get("question") || ""),
      answer: button && button.name === "answer" ? button.value : String(fields.get("answer") || ""),
      at: Date.now(),
    };
    ask({ type: "answer", item: item }).then(function (outcome) {
      // No word from the worker: the answer is kept; it says so.
      if (!outcome) outcome = { waiting: [item.question], refused: [] };
      if (outcome.waiting.indexOf(item.question) >= 0 || outcome.refused.indexOf(item.question) >= 0) {
        showOutbox(outcome, item.question);
        window.scrollTo(0, 0);
        return;
      }
      location.assign("/plan?saved=answer");
    });
  });
  // What waits goes now: at start, when the connection returns, when the
  // app comes back to the front, and every half minute while it waits.
  function flush() {
    ask({ type: "flush" }).then(function (outcome) {
      showOutbox(outcome);
      showWaitingMessages(outcome);
    });
  }
  if (navigator.serviceWorker) {
    navigator.serviceWorker.ready.then(flush);
    window.addEventListener("online", flush);
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "visible") flush();
    });
    setInterval(function () {
      var waiting = document.getElementById("outbox-waiting");
      if (waiting && !waiting.hidden) flush();
    }, 30000);
    // A message waiting on the thread's page is tried more often.
    setInterval(function () {
      var list = document.getElementById("outbox-list");
      if (list && list.querySelector("[data-state='waiting']")) flush();
    }, 5000);
  }

  // Messages written while the connection is gone: the page sends a
  // message itself; when that fails for want of a connection, the service
  // worker keeps it ("waiting to send", under the thread) and sends it, with
  // its key, when the connection returns: exactly once. A refusal by the
  // server comes back as the plain form's page, with the reason.
  function showWaitingMessages(outcome) {
    var list = document.getElementById("outbox-list");
    if (!list || !outcome || !outcome.messages) return;
    var thread = list.getAttribute("data-thread");
    list.textContent = "";
    outcome.messages.forEach(function (m) {
      // The list of conversations shows every refused message (its thread
      // may be closed to the reader now); a thread, its own.
      if (thread === "*" ? m.state !== "refused" : m.thread !== thread) return;
      var item = document.createElement("li");
      item.className = "msg mine pending";
      item.setAttribute("data-key", m.key);
      item.setAttribute("data-state", m.state);
      var body = document.createElement("p");
      body.className = "body";
      body.dir = "auto";
      body.textContent = m.text;
      var meta = document.createElement("p");
      meta.className = "meta outbox-state";
      meta.textContent = list.getAttribute(m.state === "refused" ? "data-refused" : "data-waiting");
      item.appendChild(body);
      item.appendChild(meta);
      if (m.state === "refused") {
        var remove = document.createElement("button");
        remove.type = "button";
        remove.className = "link-button outbox-remove";
        remove.textContent = list.getAttribute("data-remove");
        remove.addEventListener("click", function () {
          ask({ type: "remove", key: m.key }).then(showWaitingMessages);
        });
        meta.appendChild(document.createTextNode(" "));
        meta.appendChild(remove);
      }
      list.appendChild(item);
    });
    list.hidden = !list.children.length;
  }
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var action = form && form.getAttribute("action");
    var list = document.getElementById("outbox-list");
    if (!list || (action !== "/api/post-message" && action !== "/api/post-phrase")) return;
    if (form.getAttribute("data-plain")) return;
    event.preventDefault();
    var data;
    try { data = new FormData(form, event.submitter); } catch (e) {
      data = new FormData(form);
      if (event.submitter && event.submitter.name) data.append(event.submitter.name, event.submitter.value);
    }
    var fields = {};
    data.forEach(function (value, name) { fields[name] = String(value); });
    if (!fields.key) fields.key = requestKey();
    var text = action === "/api/post-message"
      ? fields.body
      : (event.submitter ? event.submitter.textContent.trim() : fields.phrase);
    var plain = function () {
      // As without JavaScript: the server answers with the page.
      form.setAttribute("data-plain", "1");
      if (event.submitter && event.submitter.name) {
        var extra = document.createElement("input");
        extra.type = "hidden";
        extra.name = event.submitter.name;
        extra.value = event.submitter.value;
        form.appendChild(extra);
      }
      form.submit();
    };
    fetch(action, {
      method: "POST",
      credentials: "same-origin",
      redirect: "manual",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(fields),
    }).then(
      function (r) {
        if (r.ok || r.type === "opaqueredirect") { location.reload(); return; }
        plain();
      },
      function () {
        // No connection: the phone keeps it and says so.
        if (!navigator.serviceWorker || !navigator.serviceWorker.controller) { plain(); return; }
        var item = {
          kind: "message", key: fields.key, action: action, fields: fields,
          thread: list.getAttribute("data-thread"), text: text, at: Date.now(),
        };
        // The next message is another one: a new key.
        var keys = form.querySelectorAll("input[name='key']");
        for (var i = 0; i < keys.length; i++) keys[i].value = requestKey();
        if (action === "/api/post-message") {
          var body = form.querySelector("textarea[name='body']");
          if (body) body.value = "";
        }
        var details = form.closest("details");
        if (details) details.open = false;
        ask({ type: "message", item: item }).then(function (outcome) {
          showWaitingMessages(outcome || { messages: [{ key: item.key, thread: item.thread, text: text, state: "waiting" }] });
        });
      }
    );
  });

  // Live: new messages appear without a reload, and the unread count in
  // the top bar stays current. The stream holds no content, only which
  // thread changed; the thread's page is then asked for again, through
  // the same checks as any page, and its list of messages replaced.
  (function live() {
    if (!window.EventSource || !document.getElementById("messages-link")) return;
    var list = document.getElementById("messages");
    var thread = list && list.getAttribute("data-thread");
    var source = null;
    var busy = false;
    var again = false;
    function count(n) {
      var badge = document.getElementById("unread");
      if (!badge) return;
      badge.textContent = String(n);
      badge.hidden = !(n > 0);
    }
    // The fresh list goes in message by message: new ones are added (and
    // read out by screen readers, as additions), changed ones replaced,
    // except the one being answered (an open "another time" form, or
    // anything with the focus), which stays as it is until the next news.
    function merge(fresh) {
      // What the reader may no longer see (a question about an action the
      // family made "only us") goes.
      var shown = Array.prototype.slice.call(list.children);
      for (var j = 0; j < shown.length; j++) {
        if (shown[j].id && !fresh.querySelector("#" + shown[j].id)) shown[j].remove();
      }
      var empty = document.getElementById("no-messages");
      var items = fresh.children;
      // Each goes in its place: after the one before it (a note that
      // shows again, when the family lifts "only us", is not a new one).
      var before = null;
      for (var i = 0; i < items.length; i++) {
        var item = items[i];
        if (item.id === "no-messages") continue;
        var old = item.id ? document.getElementById(item.id) : null;
        if (!old) {
          if (empty) { empty.remove(); empty = null; }
          old = document.importNode(item, true);
          list.insertBefore(old, before ? before.nextSibling : list.firstChild);
        } else if (old.outerHTML !== item.outerHTML
                   && !old.contains(document.activeElement)
                   && !old.querySelector("details[open]")) {
          var replaced = document.importNode(item, true);
          old.replaceWith(replaced);
          old = replaced;
        }
        before = old;
      }
    }
    // A tab in the background has no stream (browsers allow few
    // connections at once), does not ask (and so does not mark the thread
    // read, or count as a read in the family's log); when it is shown
    // again it connects, and the stream's hello makes it catch up.
    function refresh() {
      if (document.visibilityState !== "visible") return;
      if (busy) { again = true; return; }
      busy = true;
      fetch(location.pathname, {
        credentials: "same-origin",
        headers: { accept: "text/html", "x-onsplan-live": "1" }
      })
        .then(function (r) {
          // No longer ours to read (or signed out): the page says so.
          if (r.status === 404 || r.status === 401) { location.reload(); throw r.status; }
          // Any other trouble: the list stays as it is until the next news.
          if (!r.ok) throw r.status;
          return r.text();
        })
        .then(function (html) {
          var doc = new DOMParser().parseFromString(html, "text/html");
          var fresh = doc.getElementById("messages");
          if (fresh) {
            var end = window.innerHeight + window.scrollY >= document.body.scrollHeight - 120;
            merge(fresh);
            if (end) document.getElementById("end").scrollIntoView();
          }
          var badge = doc.getElementById("unread");
          if (badge) count(Number(badge.textContent) || 0);
        })
        .catch(function () {})
        .then(function () {
          busy = false;
          if (again) { again = false; refresh(); }
        });
    }
    function connect() {
      if (source) return;
      source = new EventSource("/api/events");
      source.addEventListener("hello", function (e) {
        document.documentElement.setAttribute("data-live", "1");
        count(JSON.parse(e.data).unread);
        // Whatever came between the page and the stream (or while the
        // connection was down, or the tab hidden): asked for once more.
        if (thread) refresh();
      });
      source.addEventListener("message", function (e) {
        var news = JSON.parse(e.data);
        if (thread && news.thread === thread) refresh();
        else count(news.unread);
      });
      source.addEventListener("gone", function (e) {
        if (thread && JSON.parse(e.data).thread === thread) location.reload();
      });
    }
    function disconnect() {
      if (!source) return;
      source.close();
      source = null;
      document.documentElement.removeAttribute("data-live");
    }
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "visible") connect(); else disconnect();
    });
    if (document.visibilityState === "visible") connect();
  })();

  // "Translate on this phone": where the browser translates on the
  // device itself (the Translator API), a message in another language
  // gets a button. The text never leaves the phone; elsewhere there is no
  // button at all.
  (function translate() {
    var list = document.getElementById("messages");
    if (!list || !self.Translator) return;
    var label = list.getAttribute("data-translate");
    var target = (document.documentElement.lang || "nl").split("-")[0];
    function offer(body) {
      var source = (body.getAttribute("lang") || "").split("-")[0];
      if (!source || source === target || body.getAttribute("data-offered")) return;
      body.setAttribute("data-offered", "1");
      Translator.availability({ sourceLanguage: source, targetLanguage: target })
        .then(function (a) {
          if (a === "unavailable") return;
          var button = document.createElement("button");
          button.type = "button";
          button.className = "link-button";
          button.textContent = label;
          button.addEventListener("click", function () {
            button.disabled = true;
            Translator.create({ sourceLanguage: source, targetLanguage: target })
              .then(function (t) { return t.translate(body.textContent); })
              .then(function (text) {
                var out = document.createElement("p");
                out.className = "body translated";
                out.lang = document.documentElement.lang;
                out.dir = "auto";
                out.textContent = text;
                button.replaceWith(out);
              })
              .catch(function () { button.disabled = false; });
          });
          body.after(button);
        })
        .catch(function () {});
    }
    function all() {
      var bodies = list.querySelectorAll(".msg.theirs .body");
      for (var i = 0; i < bodies.length; i++) offer(bodies[i]);
    }
    all();
    new MutationObserver(all).observe(list, { childList: true });
  })();

  // Voice messages: hold the button to speak (two minutes at most), let
  // go, listen, then send. Shown only where the browser can record; the
  // recording leaves the phone only when "send" is pressed.
  (function voice() {
    var box = document.getElementById("voice");
    if (!box || !window.MediaRecorder || !navigator.mediaDevices) return;
    var types = ["audio/webm;codecs=opus", "audio/ogg;codecs=opus", "audio/mp4"];
    var type = types.filter(function (t) { return MediaRecorder.isTypeSupported(t); })[0];
    if (!type) return;
    box.hidden = false;
    var record = document.getElementById("voice-record");
    var status = document.getElementById("voice-status");
    var preview = document.getElementById("voice-preview");
    var send = document.getElementById("voice-send");
    var again = document.getElementById("voice-again");
    var recorder = null, chunks = [], blob = null, key = null, timer = null, wanted = false;
    function state(s) { box.setAttribute("data-state", s); }
    function reset() {
      if (preview.src) URL.revokeObjectURL(preview.src);
      preview.removeAttribute("src");
      preview.hidden = send.hidden = again.hidden = true;
      record.hidden = false;
      blob = null;
      status.textContent = "";
      state("idle");
    }
    function start(event) {
      if (event) event.preventDefault();
      if (recorder) return;
      wanted = true;
      navigator.mediaDevices.getUserMedia({ audio: true }).then(function (stream) {
        // Let go before the microphone was ready: nothing to record.
        if (!wanted) { stream.getTracks().forEach(function (t) { t.stop(); }); return; }
        chunks = [];
        recorder = new MediaRecorder(stream, { mimeType: type, audioBitsPerSecond: 32000 });
        recorder.ondataavailable = function (e) { if (e.data.size) chunks.push(e.data); };
        recorder.onstop = function () {
          stream.getTracks().forEach(function (t) { t.stop(); });
          clearTimeout(timer);
          recorder = null;
          blob = new Blob(chunks, { type: type.split(";")[0] });
          // One key per recording: sending it again after a lost answer
          // is still one message.
          key = requestKey();
          preview.src = URL.createObjectURL(blob);
          preview.hidden = send.hidden = again.hidden = false;
          record.hidden = true;
          status.textContent = "";
          state("recorded");
        };
        recorder.start(1000);
        status.textContent = box.getAttribute("data-recording");
        state("recording");
        timer = setTimeout(stop, 120000);
      }).catch(function () {
        wanted = false;
        status.textContent = box.getAttribute("data-no-microphone");
      });
    }
    function stop() {
      wanted = false;
      if (recorder && recorder.state === "recording") recorder.stop();
    }
    record.addEventListener("pointerdown", start);
    record.addEventListener("pointerup", stop);
    record.addEventListener("pointerleave", stop);
    record.addEventListener("pointercancel", stop);
    record.addEventListener("contextmenu", function (e) { e.preventDefault(); });
    // From the keyboard: Enter or space starts, and again stops.
    record.addEventListener("keydown", function (e) {
      if (e.key !== "Enter" && e.key !== " ") return;
      e.preventDefault();
      if (recorder) stop(); else start();
    });
    again.addEventListener("click", reset);
    send.addEventListener("click", function () {
      if (!blob) return;
      send.disabled = true;
      var form = new FormData();
      form.append("thread", box.getAttribute("data-thread"));
      form.append("key", key);
      form.append("voice", blob, "voice." + (type.indexOf("webm") >= 0 ? "webm" : type.indexOf("ogg") >= 0 ? "ogg" : "m4a"));
      fetch("/api/post-voice", {
        method: "POST",
        body: form,
        credentials: "same-origin",
        headers: { accept: "application/json" }
      })
        .then(function (r) {
          // A refusal names its reason (`{"BadInput": "error-…"}`).
          if (!r.ok) {
            return r.text().then(function (body) {
              // The conversation ended meanwhile: the page says so.
              if (body.indexOf("error-thread-ended") >= 0) { location.reload(); throw "ended"; }
              throw r.status === 413 || body.indexOf("too-long") >= 0 ? "long" : "failed";
            });
          }
          reset();
          // Without the live stream, the page shows it after a reload.
          if (!document.documentElement.getAttribute("data-live")) location.reload();
        })
        .catch(function (code) {
          status.textContent = box.getAttribute(code === "long" ? "data-too-long" : "data-failed");
        })
        .then(function () { send.disabled = false; });
    });
    reset();
  })();

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
