"""Story importers: one small module per format, each turning its input into StoryRecords.

See formats.py for the registry and writer.py for the one upsert they share.
"""
