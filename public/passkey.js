// Passkeys for family members: add one on "Our plan", sign in with one on
// the sign-in page. Buttons marked data-passkey stay hidden unless this
// browser can make passkeys; the server checks everything (webauthn-rs).
(function () {
  "use strict";
  if (!window.PublicKeyCredential || !navigator.credentials) return;

  function decode(text) {
    var b64 = text.replace(/-/g, "+").replace(/_/g, "/");
    b64 += "===".slice((b64.length + 3) % 4);
    var raw = atob(b64);
    var bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
    return bytes.buffer;
  }

  function encode(buffer) {
    var bytes = new Uint8Array(buffer);
    var raw = "";
    for (var i = 0; i < bytes.length; i++) raw += String.fromCharCode(bytes[i]);
    return btoa(raw).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

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

  function ids(list) {
    (list || []).forEach(function (c) { c.id = decode(c.id); });
  }

  function add() {
    return call("passkey-add-start").then(function (text) {
      var start = JSON.parse(text);
      var pk = start.options.publicKey;
      pk.challenge = decode(pk.challenge);
      pk.user.id = decode(pk.user.id);
      ids(pk.excludeCredentials);
      // A passkey the phone offers by itself: members have no user name.
      pk.authenticatorSelection = Object.assign({}, pk.authenticatorSelection, {
        residentKey: "required",
        requireResidentKey: true,
      });
      return navigator.credentials.create({ publicKey: pk }).then(function (cred) {
        var r = cred.response;
        var body = {
          id: cred.id,
          rawId: encode(cred.rawId),
          type: cred.type,
          response: {
            attestationObject: encode(r.attestationObject),
            clientDataJSON: encode(r.clientDataJSON),
            transports: r.getTransports ? r.getTransports() : undefined,
          },
          extensions: cred.getClientExtensionResults(),
        };
        return call("passkey-add-finish", {
          ceremony: start.ceremony,
          credential: JSON.stringify(body),
        });
      });
    });
  }

  function signIn() {
    return call("passkey-sign-in-start").then(function (text) {
      var start = JSON.parse(text);
      var pk = start.options.publicKey;
      pk.challenge = decode(pk.challenge);
      ids(pk.allowCredentials);
      return navigator.credentials.get({ publicKey: pk }).then(function (cred) {
        var r = cred.response;
        var body = {
          id: cred.id,
          rawId: encode(cred.rawId),
          type: cred.type,
          response: {
            authenticatorData: encode(r.authenticatorData),
            clientDataJSON: encode(r.clientDataJSON),
            signature: encode(r.signature),
            userHandle: r.userHandle ? encode(r.userHandle) : null,
          },
          extensions: cred.getClientExtensionResults(),
        };
        return call("passkey-sign-in-finish", {
          ceremony: start.ceremony,
          credential: JSON.stringify(body),
        });
      }).then(function () { window.location.assign("/plan"); });
    });
  }

  function wire(button) {
    var card = button.closest("section") || document.body;
    var show = function (selector, on) {
      var el = card.querySelector(selector);
      if (el) el.hidden = !on;
    };
    button.hidden = false;
    button.addEventListener("click", function () {
      button.disabled = true;
      show(".passkey-error", false);
      var run = button.dataset.passkey === "add" ? add : signIn;
      run().then(function () {
        show(".passkey-done", true);
        if (button.dataset.passkey === "add") button.hidden = true;
      }).catch(function () {
        show(".passkey-error", true);
      }).finally(function () {
        button.disabled = false;
      });
    });
  }

  function start() {
    document.querySelectorAll("button[data-passkey]").forEach(wire);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
