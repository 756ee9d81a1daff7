"""Public catalog pages: home, search, dataset pages and downloads."""
