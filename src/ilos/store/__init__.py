"""store: the operational store (SQLAlchemy tables, repositories, migrations) and the lake (DuckDB)."""
