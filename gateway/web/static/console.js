/* schoolgate console: the little script it has. Everything works without it. */
"use strict";

/* "Select all" for the held-mail queue's bulk actions. */
document.addEventListener("change", function (event) {
  var box = event.target;
  if (!box.matches || !box.matches("[data-select-all]")) {
    return;
  }
  var form = box.closest("form");
  form.querySelectorAll("input[name=ids]").forEach(function (item) {
    item.checked = box.checked;
  });
});
