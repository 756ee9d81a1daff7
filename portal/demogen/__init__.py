"""A synthetic OpenSID export of a whole district, for the demo, tests and benchmarks.

Not a reader of real exports: it writes the files the readers in ``portal.sources`` read.
It may use ``portal.sources`` (the region list); nothing in ``portal.sources`` imports it.
Entry point: ``portal.demogen.generator.generate_district``.
"""
