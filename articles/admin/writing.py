"""(being written)"""


class WritingToolsMixin:
    pass
