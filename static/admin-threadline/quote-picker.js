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

  // The part of the current selection that lies inside the source, as text ("" for none),
  // widened to whole words: a drag that stops inside a word takes the whole word.
  const WORD = /[\p{L}\p{N}]/u;
  const isWord = (char) => char !== undefined && WORD.test(char);
  const offsetOf = (node, offset) => {
    const before = document.createRange();
    before.setStart(source, 0);
    before.setEnd(node, offset);
    return before.toString().length;
  };
  const selectedWords = () => {
    const selection = document.getSelection();
    if (!selection || selection.rangeCount === 0 || selection.isCollapsed) return "";
    const range = selection.getRangeAt(0);
    if (!range.intersectsNode(source)) return "";
    const text = source.textContent;
    let start = source.contains(range.startContainer)
      ? offsetOf(range.startContainer, range.startOffset) : 0;
    let end = source.contains(range.endContainer)
      ? offsetOf(range.endContainer, range.endOffset) : text.length;
    if (end <= start) return "";
    while (start > 0 && isWord(text[start - 1]) && isWord(text[start])) start -= 1;
    while (end < text.length && isWord(text[end - 1]) && isWord(text[end])) end += 1;
    return text.slice(start, end).trim();
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
