"""(being written)"""


class ConcurrentEditingMixin:
    pass
