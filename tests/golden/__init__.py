"""Golden pages and the extraction each must give."""
