"""Reader-facing pages, one module per page family. Each view is thin: it reads the request,
asks ``debate.reading`` (or ``debate.exports``) for what the page shows, and renders it; htmx
requests get only the fragment they swap."""
