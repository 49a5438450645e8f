"""One emitter per source system: each turns the world model into that agency's table, with its own
column names, date formats and identifier conventions, plus its sources.yaml entry."""
