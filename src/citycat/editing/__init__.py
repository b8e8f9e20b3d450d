"""Helping data officers edit the list: fmt, new, the change view, the editor JSON Schema."""
