"""The biometric engine behind a narrow facade.

Callers see a few nouns: a :class:`Template` of minutiae, :func:`compare` for 1:1, a
:class:`Gallery` for 1:N ten-print search giving a :class:`SearchResult` in a
:class:`Band`, and one :class:`MatchParameters` holding every tuning constant. The
matcher, the index and the fusion live in private modules and may change (image
extraction, cylinder codes, faiss) without changing these names. :mod:`.synthetic`
makes reproducible fingers and captures.
"""

from securecomm.biometrics import synthetic
from securecomm.biometrics._compare import Comparison, compare
from securecomm.biometrics._errors import NoUsableFingerError, TemplateError, UnknownSubjectError
from securecomm.biometrics._extract import ImageError, extract, quality_is_nfiq2
from securecomm.biometrics._fusion import Band
from securecomm.biometrics._gallery import Gallery
from securecomm.biometrics._index import CodeBasis
from securecomm.biometrics._params import MatchParameters
from securecomm.biometrics._result import Candidate, SearchResult
from securecomm.biometrics._store import GalleryStore, GalleryStoreError
from securecomm.biometrics._template import Template

__all__ = [
    "Band",
    "Candidate",
    "CodeBasis",
    "Comparison",
    "Gallery",
    "GalleryStore",
    "GalleryStoreError",
    "ImageError",
    "MatchParameters",
    "NoUsableFingerError",
    "SearchResult",
    "Template",
    "TemplateError",
    "UnknownSubjectError",
    "compare",
    "extract",
    "quality_is_nfiq2",
    "synthetic",
]
