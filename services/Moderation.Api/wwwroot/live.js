// Live queue, "N viewing" presence and the bulk bar (ADR 0503). Progressive enhancement: without it the queue still
// works, with a reload to see new items. No inline script anywhere: this file is loaded by the layout.
(function () {
  "use strict";
  var POLL_MS = 5000;

  function viewersText(names, item) {
    if (!names || names.length === 0) { return ""; }
    return item
      ? names.length + " other" + (names.length === 1 ? "" : "s") + " viewing: " + names.join(", ")
      : names.length + " viewing";
  }

  function showViewers(el, names, item) {
    while (el.firstChild) { el.removeChild(el.firstChild); }
    if (!names || names.length === 0) { return; }
    var span = document.createElement("span");
    span.className = "viewers";
    span.title = names.join(", ");
    span.textContent = viewersText(names, item);
    el.appendChild(span);
  }

  // ---- The queue: poll for changes, re-render from the server's own HTML when something changed ----
  var live = document.getElementById("queue-live");
  if (live) {
    var liveUrl = live.getAttribute("data-live-url");
    var fingerprint = live.getAttribute("data-fingerprint");
    var status = document.getElementById("live-status");
    var pending = false;

    var rowIds = function (root) {
      return Array.prototype.map.call(root.querySelectorAll("[data-queue-item]"), function (r) { return r.getAttribute("data-queue-item"); });
    };

    var busy = function () {
      var a = document.activeElement;
      var results = document.getElementById("queue-results");
      // Never pull the form away from someone choosing a reason or typing a note.
      return a && results && results.contains(a) && /^(select|textarea)$/i.test(a.tagName) ||
        (a && a.tagName && a.tagName.toLowerCase() === "input" && a.type === "text" && results && results.contains(a));
    };

    var refresh = function () {
      if (busy()) { pending = true; return Promise.resolve(); }
      pending = false;
      return fetch(window.location.href, { credentials: "same-origin", headers: { "Accept": "text/html" } })
        .then(function (r) { if (!r.ok || r.redirected) { throw new Error("HTTP " + r.status); } return r.text(); })
        .then(function (html) {
          var doc = new DOMParser().parseFromString(html, "text/html");
          var before = rowIds(document);
          var checked = Array.prototype.map.call(document.querySelectorAll("#queue-results input[name=ids]:checked"), function (c) { return c.value; });
          var active = document.activeElement && document.activeElement.closest ? document.activeElement.closest("[data-queue-item]") : null;
          var activeId = active ? active.getAttribute("data-queue-item") : null;
          ["queue-tabs", "queue-results"].forEach(function (id) {
            var mine = document.getElementById(id);
            var theirs = doc.getElementById(id);
            if (mine && theirs) { mine.innerHTML = theirs.innerHTML; }
          });
          var next = doc.getElementById("queue-live");
          if (next) { fingerprint = next.getAttribute("data-fingerprint"); }
          checked.forEach(function (v) {
            var box = document.querySelector("#queue-results input[name=ids][value='" + v + "']");
            if (box) { box.checked = true; }
          });
          var after = rowIds(document);
          var added = after.filter(function (x) { return before.indexOf(x) < 0; }).length;
          var left = before.filter(function (x) { return after.indexOf(x) < 0; }).length;
          var parts = [];
          if (added) { parts.push(added + " new item" + (added === 1 ? "" : "s")); }
          if (left) { parts.push(left + " item" + (left === 1 ? "" : "s") + " left this list"); }
          if (status) { status.textContent = parts.length ? "Queue updated: " + parts.join(", ") + "." : "Queue updated."; }
          setupBulk();
          document.dispatchEvent(new CustomEvent("queue:updated", { detail: { focus: activeId } }));
        })
        .catch(function () { /* the next poll tries again */ });
    };

    var poll = function () {
      if (document.hidden) { return; }
      var ids = rowIds(document).join(",");
      var url = liveUrl + (liveUrl.indexOf("?") >= 0 ? "&" : "?") + "ids=" + encodeURIComponent(ids);
      fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (r) { if (!r.ok) { throw new Error("HTTP " + r.status); } return r.json(); })
        .then(function (state) {
          Array.prototype.forEach.call(document.querySelectorAll("[data-viewing-for]"), function (cell) {
            showViewers(cell, state.viewing[cell.getAttribute("data-viewing-for")], false);
          });
          if (state.fingerprint !== fingerprint || pending) { return refresh(); }
        })
        .catch(function () { /* signed out or offline: try again at the next tick */ });
    };

    window.setInterval(poll, POLL_MS);
    document.addEventListener("visibilitychange", function () { if (!document.hidden) { poll(); } });
  }

  // ---- An item page: heartbeat while open, say who else is looking ----
  var presence = document.querySelector("[data-presence-item]");
  if (presence) {
    var itemId = presence.getAttribute("data-presence-item");
    var url = "/api/items/" + encodeURIComponent(itemId) + "/presence";
    // A write to the API with the sign-in cookie carries the anti-forgery token from the page's <meta> (ADR 0505).
    var tokenMeta = document.querySelector("meta[name=request-verification-token]");
    var writeHeaders = { "Accept": "application/json" };
    if (tokenMeta) { writeHeaders["RequestVerificationToken"] = tokenMeta.getAttribute("content"); }
    var beat = function () {
      fetch(url, { method: "POST", credentials: "same-origin", headers: writeHeaders })
        .then(function (r) { if (!r.ok) { throw new Error("HTTP " + r.status); } return r.json(); })
        .then(function (state) {
          var text = viewersText(state.viewing, true);
          if (presence.textContent !== text) { showViewers(presence, state.viewing, true); }
        })
        .catch(function () { /* the next heartbeat tries again */ });
    };
    beat();
    window.setInterval(beat, 15000);
    window.addEventListener("pagehide", function () {
      // keepalive lets the request outlive the page; sendBeacon could not carry the token header.
      fetch(url + "/leave", { method: "POST", credentials: "same-origin", headers: writeHeaders, keepalive: true })
        .catch(function () { /* the heartbeat expires on its own */ });
    });
  }

  // ---- The bulk bar: how many are ticked, and "select all" ----
  function setupBulk() {
    var form = document.getElementById("bulk-form");
    var count = document.getElementById("bulk-count");
    var all = document.getElementById("select-all");
    if (!form || !count) { return; }
    var boxes = function () { return Array.prototype.slice.call(form.querySelectorAll("input[name=ids]")); };
    var update = function () {
      var n = boxes().filter(function (b) { return b.checked; }).length;
      count.textContent = n === 0 ? "No items selected." : n + " item" + (n === 1 ? "" : "s") + " selected.";
      if (all) { all.checked = n > 0 && n === boxes().length; }
    };
    if (all) {
      all.hidden = false;
      all.addEventListener("change", function () {
        boxes().forEach(function (b) { b.checked = all.checked; });
        update();
      });
    }
    form.addEventListener("change", function (e) { if (e.target && e.target.name === "ids") { update(); } });
    form.addEventListener("submit", function (e) {
      var verb = e.submitter ? e.submitter.value : "";
      if (boxes().every(function (b) { return !b.checked; })) {
        e.preventDefault();
        count.textContent = "Tick at least one item first.";
        return;
      }
      var reason = form.querySelector("select[name=reason]");
      if (verb === "Reject" && reason && !reason.value) {
        e.preventDefault();
        count.textContent = "Choose a rejection reason first.";
        reason.focus();
      }
    });
    update();
  }

  setupBulk();
})();
