// Keyboard triage for the queue and item pages (progressive enhancement: every action is also a plain link or form).
// j / k: next / previous item; Enter opens the selected item on the queue; a: approve; r: reject (focuses the reason);
// e: escalate (focuses the reason); ?: this help. Off while typing in a field, and with Ctrl, Alt or Meta held.
(function () {
  "use strict";
  var ORDER_KEY = "moderation.queue.order";
  var rows = Array.prototype.slice.call(document.querySelectorAll("[data-queue-item]"));
  var itemId = document.body.getAttribute("data-item-id");
  var current = -1;

  if (rows.length > 0) {
    // The queue remembers its order, so that j and k on an item page move through the same list.
    try {
      sessionStorage.setItem(ORDER_KEY, JSON.stringify(rows.map(function (r) { return r.getAttribute("data-queue-item"); })));
    } catch (e) { /* storage off: j and k still work on the queue */ }
  }

  function typing(target) {
    if (!target || !target.tagName) { return false; }
    var tag = target.tagName.toLowerCase();
    return tag === "input" || tag === "textarea" || tag === "select" || target.isContentEditable;
  }

  function select(index) {
    if (rows.length === 0) { return; }
    index = Math.max(0, Math.min(rows.length - 1, index));
    if (current >= 0) { rows[current].removeAttribute("aria-current"); }
    current = index;
    var row = rows[current];
    row.setAttribute("aria-current", "true");
    var link = row.querySelector("a");
    if (link) { link.focus(); }
    row.scrollIntoView({ block: "nearest" });
  }

  function step(delta) {
    if (rows.length > 0) {
      var focused = rows.findIndex(function (r) { return r.contains(document.activeElement); });
      var from = focused >= 0 ? focused : current;
      select(from < 0 ? 0 : from + delta);
      return;
    }
    if (!itemId) { return; }
    var order;
    try { order = JSON.parse(sessionStorage.getItem(ORDER_KEY) || "[]"); } catch (e) { order = []; }
    var at = order.indexOf(itemId);
    var next = at >= 0 ? order[at + delta] : undefined;
    if (next) { window.location.href = "/items/" + next; }
  }

  function press(selector) {
    var el = document.querySelector(selector);
    if (!el) { return false; }
    if (el.tagName.toLowerCase() === "button") { el.click(); } else { el.focus(); }
    return true;
  }

  var help = document.getElementById("shortcut-help");

  // live.js re-renders the queue's rows when items arrive or leave: pick up the new rows and keep the selection.
  document.addEventListener("queue:updated", function (event) {
    var selectedId = current >= 0 && rows[current] ? rows[current].getAttribute("data-queue-item") : null;
    rows = Array.prototype.slice.call(document.querySelectorAll("[data-queue-item]"));
    current = -1;
    try {
      sessionStorage.setItem(ORDER_KEY, JSON.stringify(rows.map(function (r) { return r.getAttribute("data-queue-item"); })));
    } catch (e) { /* storage off */ }
    var keep = (event.detail && event.detail.focus) || selectedId;
    var at = keep ? rows.findIndex(function (r) { return r.getAttribute("data-queue-item") === keep; }) : -1;
    if (at >= 0) {
      current = at;
      rows[at].setAttribute("aria-current", "true");
      if (event.detail && event.detail.focus) { var link = rows[at].querySelector("a"); if (link) { link.focus(); } }
    }
  });

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.altKey || event.metaKey || event.defaultPrevented || typing(event.target)) { return; }
    if (help && help.open) { return; } // the dialog closes itself on Escape
    var handled = true;
    switch (event.key) {
      case "j": step(1); break;
      case "k": step(-1); break;
      case "a": handled = press("[data-shortcut=approve]"); break;
      case "r": handled = press("[data-shortcut=reject]"); break;
      case "e": handled = press("[data-shortcut=escalate]"); break;
      case "?":
        if (help && help.showModal) { help.showModal(); } else { handled = false; }
        break;
      default: handled = false;
    }
    if (handled) { event.preventDefault(); }
  });
})();
