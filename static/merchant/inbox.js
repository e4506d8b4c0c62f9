/* Seller centre: quick replies for the messages and reviews pages (confirmations: dashboard.js).
   Everything works without it (the server sends the chosen quick reply when no text was typed). */
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("select[name=quick_reply]").forEach(function (select) {
      select.addEventListener("change", function () {
        var target = select.form.querySelector("[data-quick-reply-target]");
        var option = select.options[select.selectedIndex];
        if (target && select.value) { target.value = option.dataset.text || option.text; target.focus(); }
      });
    });
  });
})();
