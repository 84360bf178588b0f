// "Test feed" on the source form: fetch the typed address now and say what would be imported, in place.
(function () {
  "use strict";
  const box = document.getElementById("feed-test");
  if (!box) return;
  const form = box.closest("form");
  // Right under the address it checks.
  const urlRow = form.querySelector(".form-row.field-url");
  if (urlRow) urlRow.after(box);
  const result = document.getElementById("feed-test-result");
  const button = document.getElementById("feed-test-button");
  function line(tag, text) {
    const element = document.createElement(tag);
    element.textContent = text;
    return element;
  }
  button.addEventListener("click", () => {
    const body = new FormData();
    body.append("url", form.querySelector("[name=url]").value);
    button.disabled = true;
    result.replaceChildren(line("p", "Fetching the feed…"));
    fetch(box.dataset.testUrl, {
      method: "POST",
      body: body,
      headers: { "X-CSRFToken": form.querySelector("input[name=csrfmiddlewaretoken]").value, Accept: "application/json" },
      credentials: "same-origin",
    })
      .then((response) => response.json())
      .then((data) => {
        if (!data.ok) {
          const problem = line("p", "This address cannot be ingested: " + data.problem);
          problem.className = "errornote";
          result.replaceChildren(problem);
          return;
        }
        const parts = [
          line(
            "p",
            (data.title ? "“" + data.title + "”" : "The feed") + " (" + (data.format || "feed") + ") would import " +
              data.item_count + " item" + (data.item_count === 1 ? "" : "s") + (data.item_count ? ":" : " for now."),
          ),
        ];
        const list = document.createElement("ul");
        for (const item of data.items) list.append(line("li", item.title + " — " + item.words + " words"));
        if (data.items.length) parts.push(list);
        if (data.teaser_only) {
          const teaser = line(
            "p",
            "Its items are teasers (" + data.teasers + " of " + data.item_count +
              " are a few lines or stop at “Read more”): fetch each article's page for its full text. ",
          );
          teaser.className = "feed-teaser";
          const box = form.querySelector("[name=fetch_full_text]");
          if (box && !box.checked) {
            const offer = document.createElement("button");
            offer.type = "button";
            offer.className = "button";
            offer.id = "feed-full-text-button";
            offer.textContent = "Fetch full text for this feed";
            offer.addEventListener("click", () => {
              box.checked = true;
              offer.replaceWith("“Fetch full text” is ticked; it applies when you save.");
              box.focus();
            });
            teaser.append(offer);
          }
          parts.push(teaser);
        }
        result.replaceChildren(...parts);
      })
      .catch(() => result.replaceChildren(line("p", "The test could not be run; check your connection and try again.")))
      .finally(() => {
        button.disabled = false;
      });
  });
})();
