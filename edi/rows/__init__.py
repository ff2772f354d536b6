"""Claims rows: one row per service line, as billing systems export claims, to claims JSON and an 837, and back.

The layout is `edi.rows.columns`; `edi.rows.source` reads CSV and Parquet (with a column
map), `edi.rows.build` builds the 837, `edi.rows.write` writes claims JSON as rows.
"""
