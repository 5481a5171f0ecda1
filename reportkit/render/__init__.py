"""Other formats of a finished report, derived from its HTML (see :func:`derive`)."""
