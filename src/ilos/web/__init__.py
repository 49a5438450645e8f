"""The web UI: server-rendered pages (Jinja2) with a small JavaScript layer, every asset served locally."""
