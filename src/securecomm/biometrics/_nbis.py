"""NIST's NBIS (mindtct) and NFIQ 2, through the ``nbis-py`` bindings, one call at a time.

Two things here go beyond calling the bindings:

* **NFIQ 2 without a wasted mindtct run.** nbis-py 0.1.3 offers NFIQ 2 only bundled
  with mindtct (``compute_nfiq2=True``), and the extractor needs mindtct's minutiae of
  the *filtered* image, not of the raw one, so the bundled run's minutiae were thrown
  away: about 45 ms per image. The wheel's library holds NFIQ 2 behind a small C
  wrapper (``nfiq2wrapper_create/compute/free_results/destroy``, C ABI, declared in
  nbis-rs's ``ext/nfiq_wrapper.h``) that the bindings don't export. :func:`nfiq2` calls
  that wrapper directly, found through the library's ELF symbol table relative to an
  exported symbol, for the nbis-py versions whose wrapper we checked
  (:data:`VERIFIED_NBIS_VERSIONS`); with any other version, or a symbol missing, it
  falls back to the bundled call. ``tests/biometrics/test_nbis.py`` checks that both
  routes give the same score and features.
* **One native call at a time.** mindtct, bozorth3 and the NFIQ 2 wrapper keep global
  state in C (later nbis-rs releases serialise them behind a lock for that reason), so
  every native call here holds :data:`NATIVE_LOCK`. Extraction in parallel needs
  processes, as nbis-rs recommends; the filtering and matching around it don't lock.
"""

from __future__ import annotations

import ctypes
import io
import threading
from dataclasses import dataclass
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from PIL import Image

NATIVE_LOCK = threading.RLock()
# nbis-py releases whose NFIQ 2 wrapper has the layout below (checked by the tests)
VERIFIED_NBIS_VERSIONS = frozenset({"0.1.3"})
_ANCHOR = "uniffi_nbis_fn_func_new_nbis_extractor"  # exported: fixes the load address
_WRAPPER = (
    "nfiq2wrapper_create",
    "nfiq2wrapper_compute",
    "nfiq2wrapper_free_results",
    "nfiq2wrapper_destroy",
)
_PPI = 500


class NativeCallError(Exception):
    """mindtct or NFIQ 2 could not process the image; ``detail`` says which and why."""

    def __init__(self, detail: str) -> None:
        self.detail = detail
        super().__init__(detail)


@dataclass(frozen=True)
class Nfiq2Quality:
    """NFIQ 2's unified score (0-100) and its native quality measures by name."""

    score: int
    features: dict[str, float]


def nfiq2(pixels: npt.NDArray[np.uint8]) -> Nfiq2Quality:
    """NFIQ 2 quality of 500 ppi grey ``pixels`` (2-D, C-contiguous uint8)."""
    wrapper = _direct_wrapper()
    if wrapper is None:
        bundled = run_mindtct(pixels, quality=True).quality()
        return Nfiq2Quality(
            int(bundled.score), {value.name: float(value.value) for value in bundled.features}
        )
    return wrapper.compute(np.ascontiguousarray(pixels, dtype=np.uint8))


def nfiq2_route() -> str:
    """ "direct" when NFIQ 2 runs without mindtct, "bundled" when it runs with it."""
    return "bundled" if _direct_wrapper() is None else "direct"


def run_mindtct(pixels: npt.NDArray[np.uint8], *, quality: bool = False) -> Any:
    """mindtct's minutiae of ``pixels`` (nbis ``Minutiae``), with NFIQ 2 if ``quality``."""
    import nbis

    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="BMP")  # cheapest lossless hand-over
    try:
        with NATIVE_LOCK:
            return mindtct_extractor(quality).extract_minutiae(buffer.getvalue())
    except nbis.NbisError as error:
        # NFIQ 2 fails on images with no ridge structure at all (blank, flat, tiny).
        raise NativeCallError(f"mindtct/NFIQ 2: {error!r}") from error


_local = threading.local()  # native objects per thread: each holds C state


def mindtct_extractor(quality: bool = False) -> Any:
    """This thread's nbis extractor (also the loader of ISO templates for bozorth3)."""
    name = "with_quality" if quality else "minutiae_only"
    found = getattr(_local, name, None)
    if found is None:
        import nbis

        settings = nbis.NbisExtractorSettings(
            min_quality=0.0,
            get_center=False,
            check_fingerprint=False,  # SIVV costs ~230 ms; NFIQ 2's coherence does the job
            compute_nfiq2=quality,
            ppi=None,
        )
        found = nbis.new_nbis_extractor(settings)
        setattr(_local, name, found)
    return found


class _Results(ctypes.Structure):
    """``nfiq2_results_t`` of nfiq_wrapper.h."""

    _fields_ = [
        ("score", ctypes.c_uint32),
        ("actionable_count", ctypes.c_uint32),
        ("actionable_ids", ctypes.POINTER(ctypes.c_char_p)),
        ("actionable_values", ctypes.POINTER(ctypes.c_double)),
        ("feature_count", ctypes.c_uint32),
        ("feature_ids", ctypes.POINTER(ctypes.c_char_p)),
        ("feature_values", ctypes.POINTER(ctypes.c_double)),
    ]


class _Wrapper:
    """The C functions of the NFIQ 2 wrapper, and one model context per thread."""

    def __init__(self, addresses: dict[str, int]) -> None:
        results = ctypes.POINTER(_Results)
        self._create = ctypes.CFUNCTYPE(ctypes.c_void_p)(addresses["nfiq2wrapper_create"])
        self._compute = ctypes.CFUNCTYPE(
            ctypes.c_int,
            ctypes.c_void_p,  # context
            ctypes.c_void_p,  # pixels
            ctypes.c_uint32,  # size = cols * rows
            ctypes.c_uint32,  # cols
            ctypes.c_uint32,  # rows
            ctypes.c_uint16,  # ppi
            results,
        )(addresses["nfiq2wrapper_compute"])
        self._free = ctypes.CFUNCTYPE(None, results)(addresses["nfiq2wrapper_free_results"])
        self.destroy = ctypes.CFUNCTYPE(None, ctypes.c_void_p)(addresses["nfiq2wrapper_destroy"])

    def compute(self, pixels: npt.NDArray[np.uint8]) -> Nfiq2Quality:
        rows, cols = pixels.shape
        out = _Results()
        with NATIVE_LOCK:
            code = self._compute(
                self._context(), pixels.ctypes.data, pixels.size, cols, rows, _PPI, out
            )
            try:
                if code != 0:
                    raise NativeCallError(f"NFIQ 2 could not assess it (wrapper code {code})")
                features = {
                    out.feature_ids[k].decode(): float(out.feature_values[k])
                    for k in range(out.feature_count)
                }
                return Nfiq2Quality(int(out.score), features)
            finally:
                self._free(out)  # the wrapper frees partial results too

    def _context(self) -> int:
        held: _Context | None = getattr(_local, "nfiq2_context", None)
        if held is None:
            with NATIVE_LOCK:
                pointer = self._create()  # parses the random forest: about 0.3 s
            if not pointer:
                raise NativeCallError("NFIQ 2 model could not be created")
            held = _Context(pointer, self.destroy)
            _local.nfiq2_context = held
        return held.pointer


class _Context:
    """A model context, destroyed with the thread that made it."""

    def __init__(self, pointer: int, destroy: Any) -> None:
        self.pointer = pointer
        self._destroy = destroy

    def __del__(self) -> None:
        with NATIVE_LOCK:
            self._destroy(self.pointer)


@lru_cache(maxsize=1)
def _direct_wrapper() -> _Wrapper | None:
    """The NFIQ 2 wrapper of a verified nbis-py build, or None to use the bundled call."""
    try:
        if metadata.version("nbis-py") not in VERIFIED_NBIS_VERSIONS:
            return None
        addresses = _wrapper_addresses()
    except (OSError, metadata.PackageNotFoundError, LookupError):
        return None
    return _Wrapper(addresses)


def _wrapper_addresses() -> dict[str, int]:
    """Load addresses of the wrapper's functions; LookupError if one is missing."""
    import nbis  # loads the library; CDLL below returns the same mapping
    from elftools.common.exceptions import ELFError
    from elftools.elf.elffile import ELFFile
    from elftools.elf.sections import SymbolTableSection

    library = Path(nbis.__file__).resolve().parent / "libnbis.so"
    with library.open("rb") as handle:
        try:
            table = ELFFile(handle).get_section_by_name(".symtab")
        except ELFError as error:
            raise LookupError(f"{library} is not a readable ELF library: {error}") from error
        if not isinstance(table, SymbolTableSection):
            raise LookupError(f"{library} has no symbol table")
        offsets = {name: _function_offset(table, name) for name in (_ANCHOR, *_WRAPPER)}
    anchor = ctypes.cast(getattr(ctypes.CDLL(str(library)), _ANCHOR), ctypes.c_void_p).value
    if anchor is None:
        raise LookupError(f"{_ANCHOR} has no address")
    base = anchor - offsets[_ANCHOR]
    return {name: base + offsets[name] for name in _WRAPPER}


def _function_offset(table: Any, name: str) -> int:
    found = table.get_symbol_by_name(name)
    if not found or found[0]["st_info"]["type"] != "STT_FUNC":
        raise LookupError(f"no function {name} in libnbis.so")
    offset: int = found[0]["st_value"]
    return offset
