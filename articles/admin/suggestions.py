"""(being written)"""


class SuggestionsMixin:
    pass
