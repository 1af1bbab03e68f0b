"""ANSI/NIST-ITL 1-2011 traditional encoding, EBTS 9.1 validation and Secure Communities messages.

Pure code, no database: ``parse`` bytes into a :class:`Transaction`, ``dump`` it back
(identical bytes), ``validate`` it, and build the CAR / SRE / ERRT / IDR messages and
the Nlets IAQ / IAR texts. The rule tables are packaged data (``data/``).
"""

from securecomm.ansi_nist.codec import dump, encode, finalize, parse
from securecomm.ansi_nist.errors import AnsiNistBuildError, AnsiNistParseError, NletsParseError
from securecomm.ansi_nist.images import (
    MAX_IMAGE_SIDE,
    Compression,
    ImageSummary,
    decode_image,
    encode_image,
    summarize_image,
)
from securecomm.ansi_nist.messages import (
    Booking,
    Charge,
    CriminalSearchResult,
    FingerprintCapture,
    ReplyTo,
    ResponseControl,
    build_car,
    build_errt,
    build_idr,
    build_sre,
    errt_messages,
)
from securecomm.ansi_nist.nlets import (
    STATUS_CENTRE_ORI,
    ImmigrationAlienQuery,
    ImmigrationAlienResponse,
    format_iaq,
    format_iar,
    parse_iaq,
    parse_iar,
)
from securecomm.ansi_nist.records import (
    Field,
    OpaqueRecord,
    Record,
    TaggedRecord,
    Transaction,
    Type4Header,
    Type4Record,
)
from securecomm.ansi_nist.validation import Violation, validate

__all__ = [
    "MAX_IMAGE_SIDE",
    "STATUS_CENTRE_ORI",
    "AnsiNistBuildError",
    "AnsiNistParseError",
    "Booking",
    "Charge",
    "Compression",
    "CriminalSearchResult",
    "Field",
    "FingerprintCapture",
    "ImageSummary",
    "ImmigrationAlienQuery",
    "ImmigrationAlienResponse",
    "NletsParseError",
    "OpaqueRecord",
    "Record",
    "ReplyTo",
    "ResponseControl",
    "TaggedRecord",
    "Transaction",
    "Type4Header",
    "Type4Record",
    "Violation",
    "build_car",
    "build_errt",
    "build_idr",
    "build_sre",
    "decode_image",
    "dump",
    "encode",
    "encode_image",
    "errt_messages",
    "finalize",
    "format_iaq",
    "format_iar",
    "parse",
    "parse_iaq",
    "parse_iar",
    "summarize_image",
    "validate",
]
