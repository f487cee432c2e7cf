"""The editors' wing: saving stances with their history, agreement between annotators, the
annotation queue, and who may do what.

Lowest first: ``roles`` and ``agreement`` (pure) and ``history`` stand on the models alone;
``revisions`` uses ``roles``, ``history`` and the edit counter; ``queue`` and ``report`` read
the models (``report`` with ``agreement``'s figures).
"""
