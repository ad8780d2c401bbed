"""Story exporters: one module per format, each with `serialize(stories)` yielding text chunks."""
