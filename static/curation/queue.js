// The work queue from the keyboard: j/k move between rows, o or Enter opens, x selects, / searches,
// and the workflow steps this person may take (listed above the queue) act on the chosen row:
// the same bulk action as the actions menu, on that one row. Reject and archive ask first.
(function () {
  "use strict";
  const rows = Array.from(document.querySelectorAll("#result_list tbody tr"));
  if (!rows.length) return;
  const data = document.getElementById("queue-step-data");
  const steps = data ? JSON.parse(data.textContent) : [];
  const announce = document.getElementById("queue-announce");
  const dialog = document.getElementById("queue-confirm");
  const form = document.getElementById("changelist-form");
  const remembered = "queue-current-row";
  let current = -1;

  function title(row) {
    const cell = row.querySelector(".queue-title");
    return cell ? cell.textContent.trim() : "";
  }
  function say(text) {
    // Emptied first so the same sentence twice is read twice.
    announce.textContent = "";
    window.setTimeout(() => (announce.textContent = text), 50);
  }
  function move(to) {
    if (current >= 0) rows[current].classList.remove("queue-current");
    current = Math.max(0, Math.min(rows.length - 1, to));
    const row = rows[current];
    row.classList.add("queue-current");
    const link = row.querySelector("th a, td a");
    if (link) link.focus({ preventScroll: true });
    row.scrollIntoView({ block: "nearest" });
  }

  function run(step, row) {
    // Only this row selected, the step's action chosen, and the actions form sent.
    for (const box of form.querySelectorAll("input.action-select")) box.checked = false;
    const box = row.querySelector("input.action-select");
    const select = form.querySelector("select[name=action]");
    if (!box || !select) return;
    box.checked = true;
    select.value = "transition_" + step.name;
    try {
      sessionStorage.setItem(remembered, String(current));
    } catch (error) {
      // Without storage the queue simply starts at the top again.
    }
    say(step.label + ": “" + title(row) + "”…");
    const go = form.querySelector("button[name=index]");
    if (go) go.click();
    else form.submit();
  }

  function take(step) {
    if (current < 0) {
      say("Choose a row first: j moves down, k up.");
      return;
    }
    const row = rows[current];
    const cell = row.querySelector(".queue-title");
    const open = cell ? cell.dataset.steps.split(" ") : [];
    if (!open.includes(step.name)) {
      const closed = cell ? JSON.parse(cell.dataset.closed || "{}") : {};
      say(closed[step.name] || "“" + step.label + "” is not open for this brief.");
      return;
    }
    if (!step.confirm) {
      run(step, row);
      return;
    }
    document.getElementById("queue-confirm-heading").textContent = step.label + " this brief?";
    document.getElementById("queue-confirm-text").textContent =
      "“" + title(row) + "” leaves the work queue. An editor can restore it to draft later from Briefs.";
    document.getElementById("queue-confirm-yes").textContent = step.label;
    dialog.returnValue = "";
    dialog.onclose = () => {
      if (dialog.returnValue === "yes") run(step, row);
      else move(current);
    };
    dialog.showModal();
    document.getElementById("queue-confirm-yes").focus();
  }

  document.addEventListener("keydown", (event) => {
    if (event.altKey || event.ctrlKey || event.metaKey || dialog.open) return;
    const typing = event.target.closest("input, textarea, select, [contenteditable]");
    if (typing && event.target.type !== "checkbox") return;
    const step = steps.find((s) => s.key === event.key);
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
    } else if (step) take(step);
    else return;
    event.preventDefault();
  });
  for (const [index, row] of rows.entries()) {
    row.addEventListener("focusin", () => {
      if (current >= 0) rows[current].classList.remove("queue-current");
      current = index;
      row.classList.add("queue-current");
    });
  }

  // After a step from the keyboard, the same place in the queue: the row that took the brief's place.
  let back = null;
  try {
    back = sessionStorage.getItem(remembered);
    sessionStorage.removeItem(remembered);
  } catch (error) {
    back = null;
  }
  if (back !== null) move(Number(back));
})();
