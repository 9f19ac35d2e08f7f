// What the layout tests measure in a page; each check returns readable problems (none: fine).
({
  // Hidden for the eye but read aloud (clipped to a pixel), like .visually-hidden.
  clipped(el) {
    for (let node = el; node && node !== document.body; node = node.parentElement) {
      if (getComputedStyle(node).clip !== "auto") return true;
    }
    return false;
  },

  // Any element of the main column whose content is wider than its box (scrolling or
  // spilling), or whose right edge passes its card's or the viewport's.
  overflows() {
    const problems = [];
    const view = document.documentElement.clientWidth;
    const wide = document.documentElement.scrollWidth;
    if (wide > view + 1) problems.push(`the page scrolls sideways: ${wide} > ${view}`);
    const describe = (el) => {
      const classes = typeof el.className === "string" ? el.className.split(/\s+/).filter(Boolean) : [];
      return [el.tagName.toLowerCase() + (el.id ? `#${el.id}` : ""), ...classes].join(".");
    };
    const clipped = (el) => this.clipped(el);
    for (const el of document.querySelectorAll("main *")) {
      if (el.closest("[hidden]") || clipped(el)) continue;
      const box = el.getBoundingClientRect();
      if (box.width === 0 || box.height === 0) continue;
      // An input scrolls its own long value: that is not the layout's overflow.
      const scrolls = getComputedStyle(el).display !== "inline"
        && !el.matches("input, textarea, select") && el.clientWidth > 0;
      if (scrolls && el.scrollWidth > el.clientWidth + 1) {
        problems.push(`${describe(el)} holds ${el.scrollWidth}px in ${el.clientWidth}px`);
      }
      const card = el.parentElement.closest(".card") || document.querySelector("main");
      const edge = Math.min(card.getBoundingClientRect().right, view);
      if (box.right > edge + 1) {
        problems.push(`${describe(el)} ends at ${Math.round(box.right)}px, past ${Math.round(edge)}px`);
      }
    }
    return problems;
  },

  // Each field's label sits just above its control or just left of it on the same line: never
  // stranded at the end of one line with its control at the start of the next.
  labelsApart() {
    const problems = [];
    for (const label of document.querySelectorAll("main label[for]")) {
      const control = document.getElementById(label.htmlFor);
      if (!control || label.contains(control) || control.closest("[hidden]")) continue;
      if (this.clipped(label)) continue;  // read aloud only, like "Role of …" in a table row
      if (control.matches("input[type=checkbox], input[type=radio], input[type=hidden]")) continue;
      const words = label.getBoundingClientRect();
      const box = control.getBoundingClientRect();
      if (words.width === 0 || box.width === 0) continue;
      const beside = Math.abs((words.top + words.bottom) / 2 - (box.top + box.bottom) / 2) <= 12
        && box.left - words.right >= 0 && box.left - words.right <= 24;
      const above = box.top >= words.bottom - 2 && box.top - words.bottom <= 24
        && Math.abs(box.left - words.left) <= 24;
      if (!beside && !above) {
        problems.push(`label "${label.textContent.trim()}" is ${Math.round(box.left - words.right)}px left of `
          + `its control and ${Math.round(box.top - words.bottom)}px above it`);
      }
    }
    return problems;
  },

  // Each checkbox's label text starts just right of it, on the same line.
  checkboxesApart() {
    const problems = [];
    for (const mark of document.querySelectorAll("main input[type=checkbox]")) {
      const label = mark.closest("label") || document.querySelector(`label[for="${mark.id}"]`);
      const text = [...label.childNodes].find((node) => node.nodeType === 3 && node.textContent.trim());
      const range = document.createRange();
      range.selectNodeContents(text);
      const words = range.getBoundingClientRect();
      const box = mark.getBoundingClientRect();
      const gap = words.left - box.right;
      const rise = Math.abs((words.top + words.bottom) / 2 - (box.top + box.bottom) / 2);
      if (gap < 0 || gap > 24 || rise > 12) {
        const name = text.textContent.trim();
        problems.push(`"${name}": ${Math.round(gap)}px right of its box, ${Math.round(rise)}px off its line`);
      }
    }
    return problems;
  },
})
