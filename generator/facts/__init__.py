"""Release facts: the supported releases and their schemas, the OLM catalogs, the hand-kept matrix, and how spec settings fit a release's objects."""
