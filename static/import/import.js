// The admin's "Import article" page. Progressive enhancement only: every step works without it.
"use strict";

(() => {
  const MB = 1024 * 1024;

  // Say that a text or file is too large before sending it, not after a long upload.
  const form = document.querySelector("[data-import-form]");
  if (form) {
    const limit = Number(form.dataset.limitBytes);
    const message = document.getElementById("import-size-error");
    form.addEventListener("submit", (event) => {
      const text = form.querySelector("textarea[name=text]");
      const file = form.querySelector("input[type=file]");
      const found = [];
      if (text && text.value) found.push(["The pasted text", new Blob([text.value]).size]);
      if (file && file.files.length) found.push([`“${file.files[0].name}”`, file.files[0].size]);
      const tooBig = found.find(([, size]) => size > limit);
      if (!tooBig) {
        message.hidden = true;
        return;
      }
      event.preventDefault();
      const [what, size] = tooBig;
      message.textContent = `${what} is ${(size / MB).toFixed(1)} MB; the limit is ${form.dataset.limitLabel}.`;
      message.hidden = false;
      message.focus();
    });
  }

  const preview = document.querySelector("[data-import-preview]");
  if (!preview) return;

  // Choosing another target for a reply means "it answers another post".
  for (const fieldset of preview.querySelectorAll("[data-reply]")) {
    const select = fieldset.querySelector("select");
    const change = fieldset.querySelector("input[value=change]");
    if (select && change) select.addEventListener("change", () => { change.checked = true; });
  }

  // One button to confirm every suggestion, for long articles; each can still be changed.
  const confirmAll = preview.querySelector("[data-confirm-all]");
  const status = preview.querySelector("[data-confirm-all-status]");
  if (confirmAll) {
    confirmAll.hidden = false;
    confirmAll.addEventListener("click", () => {
      const radios = preview.querySelectorAll("[data-reply] input[value=confirm]");
      for (const radio of radios) radio.checked = true;
      status.textContent = `${radios.length} suggested ${radios.length === 1 ? "reply" : "replies"} marked as confirmed. Nothing is saved until you press “Import article”.`;
    });
  }

  // A second press while the import is being saved must not send it twice.
  preview.addEventListener("submit", (event) => {
    if (preview.dataset.sending) {
      event.preventDefault();
      return;
    }
    preview.dataset.sending = "1";
    window.setTimeout(() => { delete preview.dataset.sending; }, 10000);
  });
})();
