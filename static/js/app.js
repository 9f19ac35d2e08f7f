// Progressive enhancement only: every page works without this file.
document.addEventListener("click", (event) => {
  const button = event.target.closest("button[data-copy]");
  if (!button) return;
  const source = document.getElementById(button.dataset.copy);
  navigator.clipboard.writeText(source.textContent.trim()).then(() => {
    const label = button.textContent;
    button.textContent = "Copied";
    setTimeout(() => { button.textContent = label; }, 1500);
  });
});

// Show a field only while another field has the value it depends on (data-show-if="name=value").
function applyShowIf(form) {
  for (const input of form.querySelectorAll("[data-show-if]")) {
    const [name, value] = input.dataset.showIf.split("=");
    const control = form.elements[name];
    if (!control) continue;
    const wrapper = input.closest(".field") || input;
    wrapper.hidden = control.value !== value;
  }
}
document.addEventListener("change", (event) => {
  if (event.target.form) applyShowIf(event.target.form);
});
document.addEventListener("DOMContentLoaded", () => {
  for (const form of document.forms) applyShowIf(form);
});

// Follow a running Verify: poll its JSON and redraw the steps until it ends.
function renderSteps(list, steps) {
  list.replaceChildren(...steps.map((step) => {
    const item = document.createElement("li");
    item.className = `step step-${step.status}`;
    const mark = document.createElement("span");
    mark.className = "step-mark";
    mark.setAttribute("aria-hidden", "true");
    const name = document.createElement("span");
    name.className = "step-name";
    name.textContent = step.name;
    const state = document.createElement("span");
    state.className = "visually-hidden";
    state.textContent = ` (${step.status})`;
    item.append(mark, name, state);
    if (step.status === "failed") {
      const error = document.createElement("div");
      error.className = "step-error";
      const code = document.createElement("code");
      code.textContent = step.code;
      const hint = document.createElement("p");
      hint.className = "step-hint";
      hint.textContent = `How to fix: ${step.hint}`;
      error.append(code, ` ${step.detail}`, hint);
      item.append(error);
    }
    return item;
  }));
}

function followVerification(box) {
  const poll = async () => {
    const response = await fetch(box.dataset.verificationUrl, { headers: { Accept: "application/json" } });
    if (!response.ok) return;
    const data = await response.json();
    renderSteps(box.querySelector("ol.steps"), data.steps);
    if (data.state === "running") {
      setTimeout(poll, 1000);
    } else {
      window.location.reload();  // state badge, messages and button follow the outcome
    }
  };
  setTimeout(poll, 500);
}

document.addEventListener("DOMContentLoaded", () => {
  const box = document.querySelector("[data-verification-url][data-state='running']");
  if (box) followVerification(box);
});

// Ask before destructive one-click forms (data-confirm); without JS they submit directly.
document.addEventListener("submit", (event) => {
  const message = event.target.dataset && event.target.dataset.confirm;
  if (message && !window.confirm(message)) event.preventDefault();
});

// Follow running exports: refresh their row counts, reload when one ends.
document.addEventListener("DOMContentLoaded", () => {
  const table = document.querySelector("table[data-progress-url]");
  if (!table || !table.querySelector("[data-running-run]")) return;
  const poll = async () => {
    const response = await fetch(table.dataset.progressUrl, { headers: { Accept: "application/json" } });
    if (!response.ok) return;
    const data = await response.json();
    const running = new Map(data.running.map((run) => [String(run.id), run.rows]));
    for (const cell of table.querySelectorAll("[data-running-run]")) {
      if (!running.has(cell.dataset.runningRun)) { window.location.reload(); return; }
      cell.textContent = `${running.get(cell.dataset.runningRun).toLocaleString("en-US")} so far`;
    }
    setTimeout(poll, 2000);
  };
  setTimeout(poll, 2000);
});

// Keep "Next file: … expected about …" current as windows close (the page's own figure first).
document.addEventListener("DOMContentLoaded", () => {
  const notice = document.querySelector("[data-next-file-url]");
  if (!notice) return;
  const poll = async () => {
    const response = await fetch(notice.dataset.nextFileUrl, { headers: { Accept: "application/json" } });
    if (!response.ok) return;
    const data = await response.json();
    const time = notice.querySelector("time");
    if (data.text && time) {
      time.textContent = data.text;
      time.setAttribute("datetime", data.due);
    }
    setTimeout(poll, 20000);
  };
  setTimeout(poll, 20000);
});
