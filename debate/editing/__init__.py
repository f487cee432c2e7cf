"""The editors' wing: saving stances with their history, agreement between annotators, the
annotation queue, and who may do what.

Lowest first: ``roles`` and ``agreement`` (pure) and ``history`` stand on the models alone;
``revisions`` uses ``roles``, ``history`` and the edit counter; ``queue`` (claims toward a
proposition), ``post_queue`` (posts without a claim) and ``report`` read the models
(``report`` with ``agreement``'s figures).
"""
