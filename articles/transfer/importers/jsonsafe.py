"""JSON decoding that turns hostile nesting into an input error instead of a RecursionError traceback.

Python's decoder recurses once per nested array or object, so "[" repeated a million times exhausts
the stack; such a document is refused as a BadInput naming where it is.
"""

import json

from articles.transfer.importers.records import BadInput

TOO_DEEP = "JSON nested too deeply to read (arrays or objects inside each other beyond the interpreter's limit)"


def loads(text, name):
    try:
        return json.loads(text)
    except RecursionError:
        raise BadInput(name, TOO_DEEP) from None


def raw_decode(text, start, name):
    try:
        return json.JSONDecoder().raw_decode(text, start)
    except RecursionError:
        raise BadInput(name, TOO_DEEP) from None
