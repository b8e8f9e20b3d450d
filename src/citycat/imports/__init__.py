"""``citycat import``: other catalogues into datasets.yaml.

One module per source format maps its records to entries (``ckan``, ``datajson``, ``dcat``,
``xlsx``), ``common`` holds what they share (untrusted text and URLs, ids, the target's
registers), ``apply`` writes the result. See docs/import.md.
"""
