// The brief editor: a live bar (what blocks publishing, how much is copied), who else has the
// brief open, suggestions decided in place, and what was typed kept in this browser until saved.
// Plain script, no build step; without it the form still works with reloads.
(function () {
  "use strict";
  const bar = document.getElementById("editor-bar");
  if (!bar) return;
  const form = bar.closest("form");
  const version = document.getElementById("id__version");
  const csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  const draftKey = bar.dataset.draftKey;
  const sectionFields = () =>
    Array.from(form.querySelectorAll(".brief-editor-main textarea, .brief-editor-main input[type=text]")).filter(
      (field) => field.name && !field.name.startsWith("_") && !field.closest(".suggestion"),
    );

  function post(url, body) {
    return fetch(url, {
      method: "POST",
      body: body,
      headers: { "X-CSRFToken": csrf, Accept: "application/json" },
      credentials: "same-origin",
    }).then((response) => response.json().then((data) => ({ ok: response.ok, data: data })));
  }

  // What blocks publishing and the copied share, for the text as it is now.
  const missing = document.getElementById("editor-missing");
  const copied = document.getElementById("editor-copied");
  let liveTimer = null;
  function refreshLive() {
    post(bar.dataset.liveUrl, new FormData(form)).then(({ ok, data }) => {
      if (!ok) return;
      missing.textContent = data.missing.length
        ? "Still needed to publish: " + data.missing.join(", ") + "."
        : "Nothing blocks publishing.";
      copied.innerHTML = "";
      copied.append("Copied from the original: ");
      const strong = document.createElement("strong");
      strong.textContent = data.copied.overall + "%";
      copied.append(strong, " (limit " + data.copied.limit + "%)");
      copied.classList.toggle("over-limit", data.copied.overall > data.copied.limit);
      for (const field of sectionFields()) {
        const meter = document.getElementById("copied-" + field.name);
        if (meter) meter.remove();
        if (field.name in data.copied.sections) {
          const note = document.createElement("p");
          note.id = "copied-" + field.name;
          note.className = "copied-meter";
          const share = data.copied.sections[field.name];
          note.textContent = share + "% of this section is copied from the original";
          note.classList.toggle("over-limit", share > data.copied.limit);
          const formRow = field.closest(".form-row");
          const suggestions = formRow.querySelector(".section-suggestions");
          if (suggestions) suggestions.before(note);
          else formRow.append(note);
        }
      }
    });
  }

  // A copy of what was typed, so a timed-out session or a closed tab loses nothing.
  function formValues() {
    const values = {};
    for (const field of sectionFields()) values[field.name] = field.value;
    return values;
  }
  function saveDraft() {
    try {
      const draft = { at: new Date().toISOString(), version: version.value, values: formValues() };
      localStorage.setItem(draftKey, JSON.stringify(draft));
    } catch (error) {
      // Storage full or disabled: the form itself still holds the text.
    }
  }
  const restore = document.getElementById("editor-restore");
  const stored = JSON.parse(localStorage.getItem(draftKey) || "null");
  if (stored) {
    const now = formValues();
    const differs = Object.keys(stored.values).some((name) => name in now && now[name] !== stored.values[name]);
    if (differs && !document.getElementById("editor-conflict")) {
      document.getElementById("editor-restore-text").textContent =
        "You typed text here on " + new Date(stored.at).toLocaleString() + " that was never saved.";
      restore.hidden = false;
    } else {
      localStorage.removeItem(draftKey); // it was saved: this page shows it
    }
  }
  document.getElementById("editor-restore-button").addEventListener("click", () => {
    for (const field of sectionFields()) {
      if (field.name in stored.values) field.value = stored.values[field.name];
    }
    // Typed on an older version: saving it is checked against that one, so a colleague's save since is shown, not lost.
    if (stored.version) version.value = stored.version;
    restore.hidden = true;
    refreshLive();
  });
  document.getElementById("editor-restore-forget").addEventListener("click", () => {
    localStorage.removeItem(draftKey);
    restore.hidden = true;
  });

  form.addEventListener("input", (event) => {
    if (event.target.name && event.target.name.startsWith("_")) return;
    saveDraft();
    clearTimeout(liveTimer);
    liveTimer = setTimeout(refreshLive, 400);
  });
  form.addEventListener("change", () => {
    clearTimeout(liveTimer);
    liveTimer = setTimeout(refreshLive, 400);
  });

  // Steps that take the brief away from readers or out of the queue ask first; the others act at once.
  for (const button of bar.querySelectorAll("input.editor-step[data-confirm]")) {
    button.addEventListener("click", (event) => {
      if (!window.confirm(button.dataset.confirm)) event.preventDefault();
    });
  }

  // Who else has this brief open, refreshed while the page is open.
  const presence = document.getElementById("editor-presence");
  function heartbeat(closed) {
    const body = new FormData();
    if (closed) {
      body.append("closed", "1");
      body.append("csrfmiddlewaretoken", csrf);
      navigator.sendBeacon(bar.dataset.presenceUrl, body);
      return;
    }
    post(bar.dataset.presenceUrl, body)
      .then(({ ok, data }) => {
        if (!ok) return;
        presence.hidden = data.others.length === 0;
        presence.textContent = data.others.length
          ? "Also open by " + data.others.join(", ") + ": whoever saves second will be asked to compare."
          : "";
      })
      .catch(() => {});
  }
  heartbeat(false);
  setInterval(() => heartbeat(false), Number(bar.dataset.presenceSeconds) * 1000);
  window.addEventListener("pagehide", () => heartbeat(true));

  // Suggestions beside their section; less sure ones folded away; Insert, Accept, Discard in place.
  const rows = Array.from(document.querySelectorAll("tr.suggestion"));
  const bySection = {};
  for (const row of rows) {
    const name = row.dataset.section;
    const field = name && form.querySelector("[name=" + CSS.escape(name) + "]");
    const formRow = field && field.closest(".form-row");
    if (!formRow) continue;
    if (!bySection[name]) {
      const box = document.createElement("div");
      box.className = "section-suggestions";
      const heading = document.createElement("p");
      heading.className = "section-suggestions-heading";
      heading.textContent = "Machine suggestions";
      const sure = document.createElement("ul");
      const unsure = document.createElement("details");
      const summary = document.createElement("summary");
      unsure.append(summary, document.createElement("ul"));
      unsure.hidden = true;
      box.append(heading, sure, unsure);
      formRow.append(box);
      bySection[name] = { sure: sure, unsure: unsure, count: 0 };
    }
    const item = document.createElement("li");
    item.className = row.className;
    item.dataset.suggestion = row.dataset.suggestion;
    item.dataset.section = name;
    item.dataset.text = row.dataset.text;
    for (const key of ["paragraph", "start", "end"]) item.dataset[key] = row.dataset[key];
    const text = document.createElement("span");
    text.className = "suggestion-text";
    text.textContent = row.dataset.text;
    const state = document.createElement("span");
    state.className = "suggestion-state";
    state.textContent = "(" + row.querySelector(".suggestion-state").textContent.trim() + ")";
    const buttons = document.createElement("span");
    buttons.className = "suggestion-buttons";
    buttons.append(...row.querySelector(".suggestion-buttons").childNodes);
    item.append(text, " ", state, " ", buttons);
    const place = bySection[name];
    if (row.classList.contains("low-confidence")) {
      place.unsure.hidden = false;
      place.unsure.querySelector("ul").append(item);
      place.count += 1;
      place.unsure.querySelector("summary").textContent =
        place.count + " less sure suggestion" + (place.count === 1 ? "" : "s");
    } else {
      place.sure.append(item);
    }
    row.remove();
  }
  for (const button of document.querySelectorAll(".suggestion-insert")) button.hidden = false;
  for (const table of document.querySelectorAll(".field-machine_draft table")) {
    if (!table.querySelector("tbody tr")) {
      const note = document.createElement("p");
      note.textContent = "Each suggestion is shown under the section it is for.";
      table.replaceWith(note);
    }
  }

  // The passage of the original a suggestion came from, marked while the suggestion is pointed at or focused.
  function unmark() {
    for (const mark of document.querySelectorAll(".brief-original-text mark")) {
      const paragraph = mark.parentNode;
      mark.replaceWith(...mark.childNodes);
      paragraph.normalize();
    }
  }
  function mark(item) {
    unmark();
    const paragraph = document.getElementById("original-paragraph-" + item.dataset.paragraph);
    if (!paragraph) return;
    const text = paragraph.firstChild;
    const offset = Number(paragraph.dataset.start);
    let start = item.dataset.start === "" ? 0 : Number(item.dataset.start) - offset;
    let end = item.dataset.end === "" ? paragraph.textContent.length : Number(item.dataset.end) - offset;
    if (!text || start < 0 || end > text.length || start >= end) {
      start = 0;
      end = paragraph.textContent.length;
    }
    const range = document.createRange();
    range.setStart(text, start);
    range.setEnd(text, end);
    const highlight = document.createElement("mark");
    range.surroundContents(highlight);
    // Beside the brief (wide screens) the original scrolls to it; on a phone the page stays where it is.
    if (window.matchMedia("(min-width: 1100px)").matches) highlight.scrollIntoView({ block: "nearest" });
  }
  for (const item of document.querySelectorAll("li.suggestion")) {
    if (!item.dataset.paragraph) continue;
    item.addEventListener("mouseenter", () => mark(item));
    item.addEventListener("focusin", () => mark(item));
  }

  const suggestionUrl = (id, decision) =>
    bar.dataset.suggestionUrl.replace(/\/0\/accept\/$/, "/" + id + "/" + decision + "/");
  form.addEventListener("click", (event) => {
    const button = event.target.closest(".suggestion button");
    if (!button) return;
    const item = button.closest(".suggestion");
    const field = form.querySelector("[name=" + CSS.escape(item.dataset.section) + "]");
    if (button.classList.contains("suggestion-insert")) {
      event.preventDefault();
      const at = document.activeElement === field ? field.selectionStart : field.value.length;
      const joiner = field.tagName === "TEXTAREA" && at > 0 && !/\s$/.test(field.value.slice(0, at)) ? "\n" : "";
      field.value = field.value.slice(0, at) + joiner + item.dataset.text + field.value.slice(at);
      field.focus();
      field.dispatchEvent(new Event("input", { bubbles: true }));
      return;
    }
    if (!button.dataset.decision) return;
    event.preventDefault();
    const body = new FormData();
    body.append("_version", version.value);
    const reason = document.getElementById("id__step_reason");
    if (reason) body.append("_step_reason", reason.value);
    post(suggestionUrl(item.dataset.suggestion, button.dataset.decision), body).then(({ ok, data }) => {
      const stateCell = item.querySelector(".suggestion-state");
      if (!ok) {
        stateCell.textContent = data.error;
        return;
      }
      if (data.entry && field && field.multiple) {
        let option = Array.from(field.options).find((o) => o.value === String(data.entry.id));
        if (!option) {
          option = new Option(data.entry.label, data.entry.id, true, true);
          field.append(option);
        }
        option.selected = true;
        field.dispatchEvent(new Event("change", { bubbles: true }));
        if (window.django && window.django.jQuery) window.django.jQuery(field).trigger("change");
      } else if (data.value !== null && field && field.tagName === "SELECT") {
        field.value = data.value; // a depth choice: the form now shows what was accepted
      } else if (data.value !== null && field && button.dataset.decision === "accept") {
        // The stored section gained the suggestion; what was typed and not yet saved is kept around it.
        const typed = field.value.trim();
        field.value = typed ? typed + (field.tagName === "TEXTAREA" ? "\n" : " ") + item.dataset.text : data.value;
        field.dispatchEvent(new Event("input", { bubbles: true }));
      }
      version.value = data.version;
      stateCell.textContent = data.state;
      item.querySelectorAll("button").forEach((b) => b.remove());
      item.classList.add("decided");
    });
  });
})();
