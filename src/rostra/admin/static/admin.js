// Keyboard shortcuts and in-place actions for the queues. The pages work
// without this file: every action is also a plain form.
(() => {
  "use strict";
  const csrf = document.querySelector('meta[name="csrf-token"]')?.content;
  const toast = document.getElementById("toast");
  const help = document.getElementById("help");
  let current = -1;
  let toastTimer;

  const items = () => [...document.querySelectorAll("ol.items > li.item:not(.done)")];

  // kind: "done" (offers undo), "info" or "error".
  function say(message, kind = "done") {
    if (!toast) return;
    toast.textContent = message + (kind === "done" ? "  ·  u to undo" : "");
    toast.classList.toggle("error", kind === "error");
    toast.hidden = false;
    clearTimeout(toastTimer);
    toastTimer = setTimeout(() => { toast.hidden = true; }, 5000);
  }

  function focusItem(index) {
    const list = items();
    if (!list.length) { current = -1; return; }
    current = Math.max(0, Math.min(index, list.length - 1));
    list.forEach((item, i) => item.classList.toggle("current", i === current));
    list[current].scrollIntoView({ block: "nearest" });
  }

  async function post(url, fields) {
    const body = new URLSearchParams(fields);
    const response = await fetch(url, {
      method: "POST",
      headers: { "Accept": "application/json", "X-CSRF-Token": csrf || "" },
      body,
      credentials: "same-origin",
    });
    let data = {};
    try { data = await response.json(); } catch (_) { /* not JSON */ }
    if (!response.ok) throw new Error(data.message || `The server answered ${response.status}.`);
    return data;
  }

  // Actions that take a comment out of the queue being shown.
  function leaves(action, queue) {
    if (action === "approve") return queue !== "recent";
    if (action === "reject" || action === "ban") return queue !== "rejected";
    return false;
  }

  async function act(action) {
    const form = document.getElementById("queue");
    if (!form) return;
    const queue = form.dataset.queue;
    const selected = [...form.querySelectorAll('input[name="ids"]:checked')].map((box) => box.closest("li.item"));
    const list = items();
    let targets = selected.length ? selected : (list[current] ? [list[current]] : []);
    if (!targets.length) return;
    if (action === "feature") {
      // One key toggles: feature what is not featured yet.
      action = targets.every((li) => li.dataset.featured === "true") ? "unfeature" : "feature";
    }
    if (action === "ban") targets = targets.slice(0, 1);
    try {
      const data = targets.length > 1
        ? await post("/admin/bulk", [["action", action], ...targets.map((li) => ["ids", li.dataset.id])])
        : await post(`/admin/comments/${targets[0].dataset.id}/${action}`, []);
      for (const li of targets) {
        li.querySelector('input[name="ids"]').checked = false;
        if (leaves(action, queue)) li.classList.add("done");
        if (action === "feature" || action === "unfeature") li.dataset.featured = String(action === "feature");
      }
      say(data.message || "Done.", data.undoable ? "done" : "info");
      focusItem(Math.min(current, items().length - 1));
    } catch (error) {
      say(error.message, "error");
    }
  }

  async function undo() {
    try {
      const data = await post("/admin/undo", []);
      say(`${data.message} Reloading…`, "info");
      setTimeout(() => location.reload(), 600);
    } catch (error) {
      say(error.message, "error");
    }
  }

  // A ticked checkbox or a pressed button keeps focus; keys then still mean shortcuts.
  const NOT_TYPED_INTO = ["checkbox", "radio", "button", "submit", "reset"];

  function typing(event) {
    const el = event.target;
    if (!(el instanceof HTMLElement)) return false;
    if (el.tagName === "INPUT") return !NOT_TYPED_INTO.includes(el.type);
    return el.isContentEditable || ["TEXTAREA", "SELECT"].includes(el.tagName);
  }

  function editHere() {
    const box = document.querySelector("#edit textarea");
    if (!box) return false;
    box.focus();
    box.setSelectionRange(box.value.length, box.value.length);
    return true;
  }

  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event)) return;
    const list = items();
    const key = event.key;
    const here = list[current];
    const handled = {
      j: () => focusItem(current + 1),
      k: () => focusItem(current - 1),
      a: () => act("approve"),
      r: () => act("reject"),
      f: () => act("feature"),
      b: () => act("ban"),
      x: () => { if (here) { const box = here.querySelector('input[name="ids"]'); box.checked = !box.checked; } },
      e: () => { if (!editHere() && here) location.href = `/admin/comments/${here.dataset.id}#edit`; },
      o: () => { if (here) location.href = `/admin/comments/${here.dataset.id}`; },
      Enter: () => { if (here) location.href = `/admin/comments/${here.dataset.id}`; },
      u: () => undo(),
      "/": () => { const box = document.querySelector('input[name="q"]'); if (box) { box.focus(); box.select(); } },
      "?": () => { if (help) help.hidden = !help.hidden; },
      Escape: () => { if (help) help.hidden = true; },
    }[key];
    if (!handled) return;
    event.preventDefault();
    handled();
  });

  document.addEventListener("click", (event) => {
    const button = event.target.closest("[data-help]");
    if (button && help) help.hidden = !help.hidden;
    const item = event.target.closest("ol.items > li.item");
    if (item && !item.classList.contains("done")) focusItem(items().indexOf(item));
  });

  document.addEventListener("change", (event) => {
    const el = event.target;
    if (el.matches("[data-autosubmit]")) el.form.submit();
    if (el.matches("[data-select-all]")) {
      document.querySelectorAll('ol.items input[name="ids"]').forEach((box) => { box.checked = el.checked; });
    }
  });

  if (location.hash === "#edit") editHere();
  if (items().length) focusItem(0);
})();
