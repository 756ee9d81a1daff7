"""Village data sources: read OpenSID exports into text tables, check them, and the code lists
and region list every later layer shares. Nothing here imports a later layer.

One entry point per kind of source, and one direction through the modules:

    read_source(source)         every kind below, whole          readers.py
      ├─ database URL           MySQL/MariaDB (or sqlite://)     sql.read_database
      └─ path                   find_exports, then per export:   exports.py
           ├─ CSV folder / zip  one CSV table                    csv/  gate → decode → parse
           ├─ .xlsx workbook    one sheet per table              xlsx.read_workbook
           ├─ SQLite file       read-only snapshot               sql.read_sqlite_file
           └─ folder of exports one desa each, merged            merge.merge_exports
    stream_csv_folder(folder)   a gabungan CSV folder, its big   exports.py, csv/stream.py
                                tables in chunks (the harvest)

Every reader keeps the core tables, OpenSID's code tables and the optional village tables of
issue 16 (tables.OPTIONAL_TABLES: log_penduduk, log_keluarga, program, program_peserta,
tweb_rtm, and the stunting tables of v23.02+: posyandu, kia, ibu_hamil, bulanan_anak,
sasaran_paud); checks.check_optional says which of them a harvest can count.
Beneath them: tables.py (the frame every reader returns, SourceError, the cell limit) and
safezip.py (zip containers: bombs, traversal, encryption). Beside them: checks.py (the rules a
harvest applies), codes.py (OpenSID code lists), wilayah.py (the district's kecamatan and desa),
boundaries.py (desa boundaries from config.path as checked GeoJSON; not yet used by the harvest).
The demo district's generator is ``portal.demogen``; nothing here imports it.
"""
from .boundaries import BoundaryReport, BoundaryWarning, read_boundaries
from .csv import CHUNK_ROWS, CsvStream, StreamUnsuitable
from .exports import StreamedExport, stream_csv_folder
from .readers import is_database_url, read_source, source_label
from .tables import BOOKKEEPING, CORE_TABLES, FILE_COLUMN, ROW_COLUMN, SourceError, SourceTables

__all__ = ["BOOKKEEPING", "BoundaryReport", "BoundaryWarning", "CHUNK_ROWS", "CORE_TABLES", "FILE_COLUMN",
           "ROW_COLUMN", "CsvStream", "SourceError", "SourceTables", "StreamUnsuitable", "StreamedExport",
           "is_database_url", "read_boundaries", "read_source", "source_label", "stream_csv_folder"]
