"""store"""

# The workflow tables live in their own module; importing it here puts them on Base.metadata for every
# importer of the store (migrations, the drift test), whichever module they import first.
from ilos.store import inbox_tables as inbox_tables
from ilos.store import legal_tables as legal_tables
from ilos.store import operations_tables as operations_tables
from ilos.store import plan_tables as plan_tables
from ilos.store import split_tables as split_tables
from ilos.store import worklist_tables as worklist_tables
