"""What more than one page accepts in its address or form, so each refuses the same junk the same way."""

from __future__ import annotations

SUBJECT_ID = r"^[A-Za-z0-9_-]{1,64}$"
"""A subject id: the linker's S-<hex> and the published ids keep to these characters, and the API's subject
routes take at most 64. Anything else is refused (422) before a subject is read, so it is never audited."""
