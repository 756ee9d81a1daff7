"""The OPD door: a produsen's uploaded table becomes a draft release, never a publication.

One direction through the modules, as the harvest's:

    read.py         bytes to a text table: CSV, one XLSX sheet, a data package / zip; bounded
    workbook.py     the whole XLSX scanned first: macros, links, objects, hidden sheets, comments
    roles.py        the Table Schema: per column a role, a type and (measures) what it counts
    regions.py      area columns to dotted Kemendagri codes of the district (or an error)
    persons.py      person-level records refused, with a reason a produsen understands
    sensitivity.py  the UU PDP class: the produsen's choice, raised to specific when it must be
    lines.py        the sums a reader of the published table knows (its own totals)
    protect.py      small counts hidden, and enough others that the totals cannot give them back
    audit.py        the independent auditor: attacks the published CSV with linear programs
    table.py        the published CSV and its Table Schema (dotted codes, no formulas)
    service.py      upload_to_draft: all of the above, then one draft release, all or nothing
    cli.py          ``flask datasets upload``
    staging.py      the web's uploaded bytes between its two steps (instance folder, random id, expiry)
    views.py        "Unggah tabel" and the mapping page (/admin/unggah): the same service from the web

Nothing here imports a face; the harvest and the uploads never import each other.
"""
