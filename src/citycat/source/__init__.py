"""Reading the catalogue's files: safe located YAML, the loader, the catalogue as a Data Package."""
