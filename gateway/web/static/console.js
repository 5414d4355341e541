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

/* Filter forms refresh their results on every change, but a search box refreshes them
   only on Enter or "Filter": otherwise Enter would fire both "change" and "submit" and
   fetch the same results twice, swapping the table under the user's next click. */
document.addEventListener(
  "change",
  function (event) {
    var field = event.target;
    if (field.matches && field.matches("form[role=search] input[type=search]")) {
      event.stopPropagation();
    }
  },
  true
);
