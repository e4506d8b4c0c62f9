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
    // the listing form: service fields only for a service (without JavaScript every field shows)
    var kind = root.querySelector("#id_kind");
    if (kind) {
      var serviceFields = ["#id_service_area", "#id_service_duration_minutes"].map(function (sel) {
        var input = root.querySelector(sel);
        return input && input.closest(".field");
      }).filter(Boolean);
      var toggle = function () {
        serviceFields.forEach(function (f) { f.hidden = kind.value !== "service"; });
      };
      kind.addEventListener("change", toggle);
      toggle();
    }
    // SKU rows: add one from the empty form, remove one (its inputs are emptied: an empty row is skipped)
    root.querySelectorAll("[data-formset]").forEach(function (set) {
      var prefix = set.getAttribute("data-formset");
      var total = set.querySelector("#id_" + prefix + "-TOTAL_FORMS");
      var max = set.querySelector("#id_" + prefix + "-MAX_NUM_FORMS");
      var template = set.querySelector("template[data-empty-row]");
      var removable = function (row) {
        row.querySelector("[data-remove-row]").addEventListener("click", function () {
          row.querySelectorAll("input, select, textarea").forEach(function (i) { i.value = ""; });
          row.hidden = true;
        });
      };
      set.querySelectorAll(".sku-row").forEach(removable);
      var add = set.querySelector("[data-add-row]");
      if (!total || !template || !add) { return; }
      add.addEventListener("click", function () {
        var n = parseInt(total.value, 10);
        if (max && n >= parseInt(max.value, 10)) { return; }
        var html = template.innerHTML.replace(/__prefix__/g, String(n));
        add.insertAdjacentHTML("beforebegin", html);
        total.value = String(n + 1);
        var rows = set.querySelectorAll(".sku-row");
        removable(rows[rows.length - 1]);
      });
    });
    // listing images: a thumbnail of each chosen file before it is uploaded (data: URLs, which the CSP allows)
    root.querySelectorAll("[data-images] input[type=file]").forEach(function (input) {
      var box = input.closest(".field").querySelector("[data-image-previews]");
      if (!box || !window.FileReader) { return; }
      input.addEventListener("change", function () {
        box.textContent = "";
        Array.prototype.forEach.call(input.files, function (file) {
          if (!/^image\/(jpeg|png|webp)$/.test(file.type)) { return; }
          var reader = new FileReader();
          reader.onload = function () {
            var img = document.createElement("img");
            img.className = "thumb";
            img.src = reader.result;
            img.alt = file.name;
            img.width = 96;
            img.height = 96;
            box.appendChild(img);
          };
          reader.readAsDataURL(file);
        });
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
