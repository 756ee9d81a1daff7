"""Privacy layer (UU PDP No. 27/2022): minimise, protect, scan."""
