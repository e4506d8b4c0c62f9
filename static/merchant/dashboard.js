/* Seller centre: the little JavaScript there is. Everything works without it. */
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  function bind(root) {
    // the language switch submits as soon as a language is chosen
    root.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
      select.addEventListener("change", function () { select.form.submit(); });
    });
    // a destructive action (remove a member, delist, refuse, refund) asks first (issue 22)
    root.querySelectorAll("form[data-confirm]").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        if (!window.confirm(form.getAttribute("data-confirm"))) { event.preventDefault(); }
      });
    });
    root.querySelectorAll("[data-print]").forEach(function (button) {
      button.addEventListener("click", function () { window.print(); });
    });
  }

  // countdowns tick once a minute (the server rendered the text; we only keep it current)
  function tick() {
    var now = Date.now();
    document.querySelectorAll("time[data-countdown]").forEach(function (el) {
      var due = Date.parse(el.getAttribute("datetime"));
      if (isNaN(due)) { return; }
      var left = Math.round((due - now) / 60000);
      var h = Math.floor(Math.abs(left) / 60), m = Math.abs(left) % 60;
      var fmt = el.getAttribute(left < 0 ? "data-fmt-over" : "data-fmt-left") || "{h}:{m}";
      el.textContent = fmt.replace("{h}", h).replace("{m}", m);
      el.classList.toggle("is-overdue", left < 0);
      el.classList.toggle("is-urgent", left >= 0 && left < 12 * 60);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    bind(document);
    setInterval(tick, 60000);
  });
})();
