// otpflow hosted pages: the only script, loaded from this origin (the CSP forbids inline script).
// It adds comfort, never function: every page works without it.
(function () {
  "use strict";

  // <div data-poll="/t/acme/sign-in/push-status" data-done-form="push-done">: asks the server every
  // second how a push sign-in stands; when it is decided, submits the form that finishes it.
  function poll(el) {
    var url = el.getAttribute("data-poll");
    var form = document.getElementById(el.getAttribute("data-done-form"));
    var status = el.querySelector("[data-status]");
    var stopped = false;
    function tick() {
      if (stopped) return;
      fetch(url, { credentials: "same-origin", cache: "no-store", headers: { "accept": "application/json" } })
        .then(function (r) { return r.ok ? r.json() : { status: "pending" }; })
        .then(function (s) {
          if (s.status && s.status !== "pending") {
            stopped = true;
            if (status) status.textContent = s.message || s.status;
            if (form) form.submit();
            return;
          }
          setTimeout(tick, 1000);
        })
        .catch(function () { setTimeout(tick, 2000); });
    }
    setTimeout(tick, 1000);
  }

  // <button data-copy="text">: copies text to the clipboard.
  function copy(btn) {
    btn.addEventListener("click", function (e) {
      e.preventDefault();
      if (navigator.clipboard) {
        navigator.clipboard.writeText(btn.getAttribute("data-copy")).then(function () {
          btn.textContent = "Copied";
        });
      }
    });
  }

  // <div data-refresh="/t/acme/admin/operator.json" data-interval="5">: every few seconds fetches JSON
  // from the server; {"html": "..."} replaces the element's content (HTML this origin escaped), else
  // {"values": {"sms.sent": 3}} sets the text of each [data-key="sms.sent"] inside it. When a fetch
  // fails, the element gets data-stale (and the last numbers stay).
  function refresh(el) {
    var url = el.getAttribute("data-refresh");
    var every = Math.max(2, parseInt(el.getAttribute("data-interval"), 10) || 5) * 1000;
    function tick() {
      if (document.hidden) { setTimeout(tick, every); return; }
      fetch(url, { credentials: "same-origin", cache: "no-store", headers: { "accept": "application/json" } })
        .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
        .then(function (d) {
          if (typeof d.html === "string") {
            el.innerHTML = d.html;
          } else if (d.values) {
            el.querySelectorAll("[data-key]").forEach(function (n) {
              var v = d.values[n.getAttribute("data-key")];
              if (v !== undefined) n.textContent = String(v);
            });
          }
          el.removeAttribute("data-stale");
        })
        .catch(function () { el.setAttribute("data-stale", ""); })
        .then(function () { setTimeout(tick, every); });
    }
    setTimeout(tick, every);
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-refresh]").forEach(refresh);
    document.querySelectorAll("[data-poll]").forEach(poll);
    document.querySelectorAll("[data-copy]").forEach(copy);
  });
})();
