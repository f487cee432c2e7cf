"""The editors' workspace, one module per model family; importing this package (as the admin's
autodiscovery does) registers them all.

Lowest first: ``base`` (shared admin classes and helpers), ``forms`` (the stance forms),
``display`` (provenance, badges, the history pages share), ``previews`` (the live rationale
preview), ``post_queue`` (the Posts to annotate pages), ``claim_source`` (the claim's form and
its source shown in full); then the model admins: ``debates``, ``sources`` (speakers, articles
and their import page, posts, quoted posts), ``propositions``, ``stances`` and ``claims``. Each
imports only those before it.
"""

from . import claims, debates, propositions, sources, stances

__all__ = ["claims", "debates", "propositions", "sources", "stances"]
