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


  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-poll]").forEach(poll);
    document.querySelectorAll("[data-copy]").forEach(copy);
  });
})();
