"""The static site: page contexts, the renderer, search index, JSON-LD, charts, UI strings."""
