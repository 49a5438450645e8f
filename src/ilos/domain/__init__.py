"""Pure typed values and rules: provenance, attributes and survivorship, events, legal situation, subjects."""
