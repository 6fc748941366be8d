"""Photos taken with a phone's camera (#20): of an observation, a resident's tip or a safety
walk's finding. Kept re-encoded, without EXIF, scaled; served only through the record they
belong to, whose route checks that the reader may read it."""
