"""The EST structure of a municipality: areas, places, organisations and the groups."""
