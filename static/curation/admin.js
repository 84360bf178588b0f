// Curation panel, every page: the autocomplete boxes (select2) named after their field's label, and
// their chosen-item lists exposed as plain groups, so screen readers and axe-core find no nameless input.
(function () {
  "use strict";
  function labelAutocompletes(root) {
    for (const container of root.querySelectorAll(".select2-container")) {
      const select = container.previousElementSibling;
      if (!select || select.tagName !== "SELECT") continue;
      const label = select.id && document.querySelector("label[for='" + select.id + "']");
      const name = label ? label.textContent.replace(/:\s*$/, "").trim() : select.name;
      for (const field of container.querySelectorAll(".select2-search__field:not([aria-label])")) {
        field.setAttribute("aria-label", "Search and add " + name.toLowerCase());
      }
      for (const list of container.querySelectorAll("ul.select2-selection__rendered")) {
        if (!list.hasAttribute("role")) {
          list.setAttribute("role", "group");
          list.setAttribute("aria-label", name);
        }
        for (const item of list.querySelectorAll(":scope > li:not([role])")) item.setAttribute("role", "none");
      }
    }
    // A date-and-time field is two boxes under one label: name each.
    for (const box of root.querySelectorAll("p.datetime")) {
      const row = box.closest(".form-row, .fieldBox");
      const label = row && row.querySelector("label");
      const name = label ? label.textContent.replace(/:\s*$/, "").trim() : "";
      const [date, time] = box.querySelectorAll("input[type=text]");
      if (date && !date.hasAttribute("aria-label")) date.setAttribute("aria-label", name + ", date");
      if (time && !time.hasAttribute("aria-label")) time.setAttribute("aria-label", name + ", time");
    }
  }
  function start() {
    labelAutocompletes(document);
    new MutationObserver(() => labelAutocompletes(document)).observe(document.body, { childList: true, subtree: true });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
