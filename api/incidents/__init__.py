"""Observations: reports of one or several incidents, filed by a reporter for an organisation."""
