"""Subject search for the web: the audited service search, and when a name of several words finds
nothing, the same words in any order (`garcia maria` finds MARIA GARCIA)."""

from __future__ import annotations

from ilos.services import subject_search
from ilos.services.access import Caller
from ilos.services.store_access import Store
from ilos.services.subject_search import SubjectView
from ilos.store.search_keys import name_key

WIDE_LIMIT = subject_search.MAX_RESULTS


def find_subjects(store: Store, caller: Caller, q: str, limit: int = 50) -> list[SubjectView]:
    """Matches of `q`; both searches (if the second runs) are audited by the service."""
    found = subject_search.search(store, caller, q, limit)
    words = name_key(q).split()
    if found or len(words) < 2 or any(c.isdigit() for c in q):
        return found
    longest = max(words, key=len)
    wide = subject_search.search(store, caller, longest, WIDE_LIMIT)
    return [v for v in wide if all(w in name_key(v.display_name) for w in words)][:limit]
