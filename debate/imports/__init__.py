"""Importing a copied article, lowest module first (each imports only those before it):

- ``lines``: bytes decoded, mojibake repaired, lines cleaned, page debris left out; the
  problems and notes every step reports (pure Python);
- ``attribution``: one attribution line read: name, handle, date, permalink (pure);
- ``parse``: the title, the body and the quoted posts, with reply suggestions (pure);
- ``plan``: what the database already holds: speakers, known posts, likely duplicates;
- ``debates``: the one rule for the debate an import goes into (``choose_debate``);
- ``decisions``: the editor's choices, checked again, and where threads end up;
- ``save``: everything written in one transaction, counted as one edit;
- ``forms`` and ``admin``: the admin page (paste or upload, preview, confirm), mounted by
  ``ArticleAdmin.get_urls`` at ``/admin/debate/article/import/``.
"""
