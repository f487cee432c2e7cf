// The annotation workspace's only script. Django's inlines.js clones a hidden template row when
// the editor clicks "Add another stance"; htmx only wires up the elements it saw at load, so
// the new row's rationale preview has to be handed to htmx explicitly.
"use strict";
document.addEventListener("formset:added", (event) => {
  if (window.htmx && event.target instanceof Element) {
    window.htmx.process(event.target);
  }
});
