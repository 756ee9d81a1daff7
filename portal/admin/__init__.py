"""Admin pages for produsen data and walidata."""
