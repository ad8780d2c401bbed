"""(being written)"""


class StoryRevisionsMixin:
    pass
