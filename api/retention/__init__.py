"""Retention (gallring): what the municipality's records plan says goes, goes on time."""
