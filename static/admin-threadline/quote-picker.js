// The claim form's quote picker. Words selected in the claim's source (the post, or the
// article's text: [data-quote-source]) are copied into the quote field, or into the evidence
// of the stance whose evidence box was clicked last. Progressive enhancement only: without
// this script the fields are plain text boxes, and the server checks every quote when saving.
"use strict";

(() => {
  const source = document.querySelector("[data-quote-source]");
  const picker = document.querySelector("[data-quote-picker]");
  const quote = document.querySelector("[data-quote-target=quote]");
  if (!source || !picker || !quote) return;

  const targetName = picker.querySelector("[data-pick-target]");
  const status = picker.querySelector("[data-pick-status]");
  const EVIDENCE = "textarea[name^='stances-'][name$='-evidence']:not([name*='__prefix__'])";
  let target = quote;
  picker.hidden = false;

  const describe = (field) => {
    if (field === quote) return "the quote";
    const number = Array.from(document.querySelectorAll(EVIDENCE)).indexOf(field) + 1;
    return `the evidence of stance ${number}`;
  };

  // Clicking in (or tabbing to) the quote or an evidence box makes it the one selections fill.
  document.addEventListener("focusin", (event) => {
    const field = event.target;
    if (!(field instanceof HTMLTextAreaElement)) return;
    if (field !== quote && !field.matches(EVIDENCE)) return;
    if (field !== target) last = "";
    target = field;
    targetName.textContent = describe(field);
  });

  // The part of the current selection that lies inside the source, as text ("" for none).
  const selectedWords = () => {
    const selection = document.getSelection();
    if (!selection || selection.rangeCount === 0 || selection.isCollapsed) return "";
    const range = selection.getRangeAt(0);
    if (!range.intersectsNode(source)) return "";
    const inside = range.cloneRange();
    if (!source.contains(range.startContainer)) inside.setStart(source, 0);
    if (!source.contains(range.endContainer)) inside.setEnd(source, source.childNodes.length);
    return inside.toString().trim();
  };

  let last = "";
  const copy = () => {
    const words = selectedWords();
    if (!words || words === last) return;
    last = words;
    target.value = words;
    target.dispatchEvent(new Event("input", { bubbles: true }));
    target.dispatchEvent(new Event("change", { bubbles: true }));
    target.classList.add("tl-picked");
    window.setTimeout(() => target.classList.remove("tl-picked"), 1200);
    status.textContent = `Copied ${words.length} characters into ${describe(target)}.`;
  };

  // A selection ends with a mouse or touch release or a key; on phones the handles move it
  // afterwards, which only selectionchange reports, so it is followed too (debounced).
  let timer = 0;
  document.addEventListener("selectionchange", () => {
    window.clearTimeout(timer);
    timer = window.setTimeout(copy, 250);
  });
  document.addEventListener("pointerup", () => window.setTimeout(copy, 0));
  document.addEventListener("keyup", (event) => {
    if (event.shiftKey || event.key === "Shift") copy();
  });
})();
