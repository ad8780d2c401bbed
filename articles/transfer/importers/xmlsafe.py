"""XML parsing that cannot be turned against the server.

Every XML input goes through defusedxml: entity declarations (billion laughs,
quadratic blowup), external entities and DTD fetching are refused before any
expansion happens, and no parser ever opens a network connection.
"""

from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException, DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden
from defusedxml import ElementTree as SafeElementTree

from articles.transfer.importers.records import BadInput

FORBID = {"forbid_dtd": False, "forbid_entities": True, "forbid_external": True}


def refusal(error, name):
    """A BadInput naming the file, the line when known, and what was refused."""
    if isinstance(error, EntitiesForbidden):
        return BadInput(name, f"refused unsafe XML: it declares the entity {error.name!r} (entities are not expanded)")
    if isinstance(error, ExternalReferenceForbidden):
        return BadInput(name, f"refused unsafe XML: it refers to the external resource {error.sysid!r}")
    if isinstance(error, DTDForbidden | DefusedXmlException):
        return BadInput(name, f"refused unsafe XML: {error}")
    line = getattr(error, "position", (None, None))[0]
    where = f"{name}:{line}" if line else name
    return BadInput(where, f"malformed XML: {error}")


def check(data, name):
    """The document's root element, parsed safely; BadInput if the document is unsafe or malformed."""
    try:
        return SafeElementTree.fromstring(data, **FORBID)
    except (DefusedXmlException, ParseError) as error:
        raise refusal(error, name) from None


def iterparse(stream, name, events=("end",)):
    """Stream (event, element) pairs safely; errors become BadInput with the line number."""
    try:
        yield from SafeElementTree.iterparse(stream, events=events, **FORBID)
    except (DefusedXmlException, ParseError) as error:
        raise refusal(error, name) from None
