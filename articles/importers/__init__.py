"""Story importers: one small module per format, each turning input into StoryRecords."""

from articles.importers.records import BadInput, LinkRecord, StoryRecord
from articles.importers.writer import Report, StoryWriter

__all__ = ["BadInput", "LinkRecord", "Report", "StoryRecord", "StoryWriter"]
