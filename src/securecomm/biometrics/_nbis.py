"""NIST's NBIS (mindtct) and NFIQ 2, through the ``nbis-py`` bindings, one call at a time.

Four things here go beyond calling the bindings:

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
* **NFIQ 2's features computed once.** That wrapper computes NFIQ 2's native quality
  measures (the features it returns) and then calls the score overload that takes the
  *image*, which computes every measure a second time. NFIQ 2 has an overload that takes
  the measures already computed, and the two give the same score by construction (the
  image overload is "compute the measures, then call the measures overload"). For the
  verified build, :func:`_score_from_measures` re-points that one call (three bytes, in
  this process's copy of the code) at the measures overload, after checking the exact
  instruction bytes around it; anything unexpected (other bytes, a kernel that refuses
  writable code) leaves the code as it is. Half of NFIQ 2's time goes; the tests check
  score and features against the unpatched code.
* **Images handed to mindtct in one copy.** The generated bindings copy a byte string
  into Rust one byte at a time in Python, which cost more than mindtct itself;
  :func:`_extract_minutiae` fills the buffer with one ``memmove`` (verified releases).
* **One native call at a time.** mindtct, bozorth3 and the NFIQ 2 wrapper keep global
  state in C (later nbis-rs releases serialise them behind a lock for that reason), so
  every native call here holds :data:`NATIVE_LOCK`. Extraction in parallel needs
  processes, as nbis-rs recommends; the filtering and matching around it don't lock.
"""

from __future__ import annotations

import ctypes
import io
import mmap
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
# NFIQ 2's two score overloads (Itanium-mangled): from the image, from computed measures
_SCORE_FROM_IMAGE = "_ZNK5NFIQ29Algorithm26computeUnifiedQualityScoreERKNS_20FingerprintImageDataE"
_SCORE_FROM_MEASURES = (
    "_ZNK5NFIQ29Algorithm26computeUnifiedQualityScoreERKSt6vectorISt10shared_ptrI"
    "NS_15QualityMeasures9AlgorithmEESaIS5_EE"
)
# nfiq2wrapper_compute of the verified build, from this offset on: the measures are
# computed from the image (%rbx) into the vector at %r15, then the score from the image.
_SCORE_CALL_WINDOW_OFFSET = 0xB0
_SCORE_CALL_WINDOW = bytes.fromhex(
    "4c8dbdb0feffff"  # lea -0x150(%rbp),%r15         the measures vector
    "584889de5a"  # pop %rax; mov %rbx,%rsi (the image); pop %rdx
    "4c89ff"  # mov %r15,%rdi
    "4c89bd98feffff"  # mov %r15,-0x168(%rbp)
    "e8c5310000"  # call computeNativeQualityMeasureAlgorithms(image) -> %r15
    "4889de"  # mov %rbx,%rsi                      the image...
    "4c89e7"  # mov %r12,%rdi                      the model
    "e89a1f0000"  # call Algorithm::computeUnifiedQualityScore(image)
)
_SCORE_CALL_AT = len(_SCORE_CALL_WINDOW) - 11  # the last three instructions
_MEASURES_ARGUMENT = bytes.fromhex("4c89fe")  # mov %r15,%rsi: ...the measures instead


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
    """How NFIQ 2 runs: "bundled" with mindtct, "direct" on its own, "direct-single-pass"
    on its own with its measures computed once."""
    wrapper = _direct_wrapper()
    if wrapper is None:
        return "bundled"
    patch = wrapper.single_pass
    return "direct-single-pass" if patch is not None and patch.applied else "direct"


def run_mindtct(pixels: npt.NDArray[np.uint8], *, quality: bool = False) -> Any:
    """mindtct's minutiae of ``pixels`` (nbis ``Minutiae``), with NFIQ 2 if ``quality``."""
    import nbis

    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="BMP")  # cheapest lossless hand-over
    try:
        with NATIVE_LOCK:
            return _extract_minutiae(mindtct_extractor(quality), buffer.getvalue())
    except nbis.NbisError as error:
        # NFIQ 2 fails on images with no ridge structure at all (blank, flat, tiny).
        raise NativeCallError(f"mindtct/NFIQ 2: {error!r}") from error


def _extract_minutiae(extractor: Any, image: bytes) -> Any:
    """``extractor.extract_minutiae(image)``, the image handed to Rust in one copy.

    The generated bindings copy a byte string into Rust's buffer one byte at a time in
    Python: about 30 ms for the 170 kB bitmap of a 300 x 560 image, more than mindtct
    itself takes. For the verified releases the buffer is filled with one ``memmove``
    (same layout: big-endian length, then the bytes) and the same native call is made.
    """
    if not _verified_release():
        return extractor.extract_minutiae(image)
    from nbis import nbis as bindings

    lowered = bindings._UniffiRustBuffer.alloc(len(image) + 4)
    ctypes.memmove(lowered.data, len(image).to_bytes(4, "big") + image, len(image) + 4)
    lowered.len = len(image) + 4
    found = bindings._uniffi_rust_call_with_error(  # Rust takes ownership of the buffer
        bindings._UniffiConverterTypeNbisError,
        bindings._UniffiLib.uniffi_nbis_fn_method_nbisextractor_extract_minutiae,
        extractor._uniffi_clone_pointer(),
        lowered,
    )
    return bindings._UniffiConverterTypeMinutiae.lift(found)


def _verified_release() -> bool:
    return _installed_version() in VERIFIED_NBIS_VERSIONS


@lru_cache(maxsize=1)
def _installed_version() -> str | None:
    try:
        return metadata.version("nbis-py")
    except metadata.PackageNotFoundError:
        return None


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

    def __init__(self, addresses: dict[str, int], single_pass: _CodePatch | None) -> None:
        self.single_pass = single_pass
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
    if not _verified_release():
        return None
    try:
        addresses = _function_addresses((*_WRAPPER, _SCORE_FROM_IMAGE, _SCORE_FROM_MEASURES))
        if any(name not in addresses for name in _WRAPPER):
            return None
    except (OSError, LookupError):
        return None
    single_pass = _score_from_measures(addresses)
    if single_pass is not None and not single_pass.apply():
        single_pass = None
    return _Wrapper(addresses, single_pass)


@dataclass(frozen=True)
class _CodePatch:
    """Bytes to swap at a code address, both ways, each time only over the bytes expected."""

    address: int
    original: bytes
    patched: bytes

    @property
    def applied(self) -> bool:
        return ctypes.string_at(self.address, len(self.patched)) == self.patched

    def apply(self) -> bool:
        return _swap_code(self.address, self.original, self.patched)

    def revert(self) -> bool:
        return _swap_code(self.address, self.patched, self.original)


def _score_from_measures(addresses: dict[str, int]) -> _CodePatch | None:
    """The patch that makes the wrapper score the measures it computed, if the code is
    exactly the verified code (window bytes, and the call going where its name says)."""
    if _SCORE_FROM_IMAGE not in addresses or _SCORE_FROM_MEASURES not in addresses:
        return None
    window = addresses["nfiq2wrapper_compute"] + _SCORE_CALL_WINDOW_OFFSET
    site = window + _SCORE_CALL_AT
    call_end = site + 11
    original = _SCORE_CALL_WINDOW[_SCORE_CALL_AT:]
    called = call_end + int.from_bytes(original[-4:], "little", signed=True)
    if called != addresses[_SCORE_FROM_IMAGE]:
        return None
    displacement = addresses[_SCORE_FROM_MEASURES] - call_end
    patched = _MEASURES_ARGUMENT + original[3:7] + displacement.to_bytes(4, "little", signed=True)
    in_memory = ctypes.string_at(window, len(_SCORE_CALL_WINDOW))
    if in_memory not in (_SCORE_CALL_WINDOW, _SCORE_CALL_WINDOW[:_SCORE_CALL_AT] + patched):
        return None
    return _CodePatch(site, original, patched)


def _swap_code(address: int, expected: bytes, replacement: bytes) -> bool:
    """Write ``replacement`` over ``expected`` in executable memory; False (and nothing
    written) if the bytes there are neither, or the kernel won't make the page writable."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.mprotect.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
    start = address & ~(mmap.PAGESIZE - 1)
    length = address + len(replacement) - start
    with NATIVE_LOCK:  # no thread is inside the wrapper while its code changes
        current = ctypes.string_at(address, len(expected))
        if current == replacement:
            return True
        if current != expected:
            return False
        if libc.mprotect(start, length, mmap.PROT_READ | mmap.PROT_WRITE | mmap.PROT_EXEC):
            return False
        try:
            ctypes.memmove(address, replacement, len(replacement))
        finally:
            libc.mprotect(start, length, mmap.PROT_READ | mmap.PROT_EXEC)
    return True


def _function_addresses(names: tuple[str, ...]) -> dict[str, int]:
    """Load addresses of the named functions that libnbis.so has (the rest are left out);
    LookupError if the library's symbol table can't be read."""
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
        anchor_offset = _function_offset(table, _ANCHOR)
        offsets = {name: _function_offset(table, name) for name in names}
    if anchor_offset is None:
        raise LookupError(f"no function {_ANCHOR} in libnbis.so")
    anchor = ctypes.cast(getattr(ctypes.CDLL(str(library)), _ANCHOR), ctypes.c_void_p).value
    if anchor is None:
        raise LookupError(f"{_ANCHOR} has no address")
    base = anchor - anchor_offset
    return {name: base + offset for name, offset in offsets.items() if offset is not None}


def _function_offset(table: Any, name: str) -> int | None:
    found = table.get_symbol_by_name(name)
    if not found or found[0]["st_info"]["type"] != "STT_FUNC":
        return None
    offset: int = found[0]["st_value"]
    return offset
