// The work queue from the keyboard: j/k move between rows, o or Enter opens, x selects, / searches.
(function () {
  "use strict";
  const rows = Array.from(document.querySelectorAll("#result_list tbody tr"));
  if (!rows.length) return;
  let current = -1;
  function move(to) {
    if (current >= 0) rows[current].classList.remove("queue-current");
    current = Math.max(0, Math.min(rows.length - 1, to));
    const row = rows[current];
    row.classList.add("queue-current");
    const link = row.querySelector("th a, td a");
    if (link) link.focus({ preventScroll: true });
    row.scrollIntoView({ block: "nearest" });
  }
  document.addEventListener("keydown", (event) => {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    const typing = event.target.closest("input, textarea, select, [contenteditable]");
    if (typing && event.target.type !== "checkbox") return;
    if (event.key === "j") move(current + 1);
    else if (event.key === "k") move(current - 1);
    else if ((event.key === "o" || event.key === "Enter") && current >= 0) {
      const link = rows[current].querySelector("th a");
      if (link) window.location.href = link.href;
    } else if (event.key === "x" && current >= 0) {
      const box = rows[current].querySelector("input.action-select");
      if (box) box.click();
    } else if (event.key === "/") {
      const search = document.getElementById("searchbar");
      if (search) search.focus();
    } else return;
    event.preventDefault();
  });
  for (const [index, row] of rows.entries()) row.addEventListener("focusin", () => {
    if (current >= 0) rows[current].classList.remove("queue-current");
    current = index;
    row.classList.add("queue-current");
  });
})();
