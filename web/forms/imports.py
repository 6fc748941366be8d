"""The import forms: the API's field names as the upload's and the category mapping's."""

from __future__ import annotations

# The API's field names on the upload and mapping forms.
UPLOAD_FIELDS = {"file": "fil", "source": "kalla", "organisation_id": "organisation"}
MAPPING_FIELDS = {"source": "kalla", "name": "namn", "category": "kategori"}
