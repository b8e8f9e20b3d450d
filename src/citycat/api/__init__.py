"""The live CKAN Action API that ``citycat serve`` answers."""
