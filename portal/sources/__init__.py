"""Village data sources: OpenSID readers, code lists, region reference, demo generator."""
