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
