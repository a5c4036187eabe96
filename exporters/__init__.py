"""Exporters: the store's figures written out for people to check against what they submitted."""
