"""Privacy layer (UU PDP No. 27/2022): minimise, protect, audit, scan, report, gate.

Entry points (the names other layers call):

- ``policy.minimise_residents / minimise_families / classify``: the declarative policy
  (``policy.POLICY_VERSION``, ``policy.policy_document()`` for the admin page) applied at
  the harvest boundary; unknown columns and tables fail closed as direct identifiers.
- ``protect.protect_release(tables, k_general, k_specific, previous=None) -> list[ProtectedTable]``:
  joint suppression of every table harvested together, desa by desa; ``previous`` maps a
  table name to its last published CSV (read with ``dtype=str``, "x" hidden) so the
  suppression pattern carries forward. ``protect.protect(table, k)`` protects one table
  on its own (its own margins), for callers that have only one.
- ``audit.audit_release(current, schemas, previous, k_for, specific) -> AuditReport``: the
  independent auditor; reads only the CSV bytes that would be published, their Table
  Schemas and the previous published CSVs; ``.passed``, ``.findings``, ``.to_dict()``.
  ``previous_dates`` (table -> reference date) keeps tables of different dates apart: a
  table the protector kept at its previous version is not republished and is attacked as
  published then. ``audit.audit_series(versions, ...)`` attacks every published version of
  a series at once (each table's consecutive versions coupled by the attacker's change bound).
  With ``groups`` (``audit_groups.table_groups()``: tables no margin or identity joins) and a
  ``memo`` (``audit_groups.GroupMemo``) ``audit_release`` attacks group by group and skips a
  group, or an LP component, it settled before on the same inputs: the same findings.
- ``protect.REMEDY_LADDER``, ``rows_to_hide``, ``reprotect``: the finer remedy the harvest's
  settle step (harvest.privacy_check.settle) tries before a table keeps its previous version:
  more cells of the new version hidden (the rows the auditor names, the desa, the category
  across the kecamatan, then the district), the release protected again and audited again;
  each table's ``remedy`` and note say what was done.
- ``audit_quality.audit_quality(quality_csv, tables, unit_table, catalogue, k, previous)``:
  the auditor's attack on the data-quality table (its counts are aggregates over people),
  written apart from ``quality.protect_quality``.
- Identities between tables are declared beside the catalogue
  (``statistics.identities.IDENTITIES`` and ``MARGINS``): the protector hides equal rows
  together and checks its pattern against every identity by LP (``protect_lp``); the
  auditor writes them as equations and inequalities for every version it attacks, and bounds
  the change between versions per table, desa and category (``audit_build.CHANGE_MODES``).
- ``scan.scan_release(files, deny_names) -> list[Finding]`` over csv, json, xlsx and zip
  members, file names included; ``scan.build_deny_list(names)`` (in memory only);
  ``scan.assert_clean(files)`` for the older call sites.
- ``report.privacy_report(protected, audit, scan, k_general, k_specific, ...) -> dict``,
  ``report.for_table(report, name)`` and ``report.public_summary(report)``; templates in
  ``templates/privacy/`` (``_report.html``, ``_public.html``, ``_policy.html``).
- ``gate.gate_errors(release_privacy_report) -> list[str]``: empty when a release may be
  submitted or approved; every face (web, CLI, API) must refuse otherwise.
"""
