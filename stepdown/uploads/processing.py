"""Check an uploaded image and re-encode it without metadata (pure Pillow, no Django).

What comes out is a new file drawn from the decoded pixels only: EXIF (with GPS), XMP, ICC
profiles, comments and any bytes appended to the original are gone. The EXIF orientation is
applied first, so photos still stand the right way up.

* JPEG stays JPEG, WebP stays WebP, PNG stays PNG.
* GIF becomes PNG, and an animated GIF (or animated PNG/WebP) keeps its first frame only: nothing
  moves or flashes in a post, and no frame-by-frame decoding is left to abuse.
* Images wider or taller than ``max_side`` are scaled down to fit.
* More than ``max_pixels`` (a "decompression bomb": a tiny file that declares huge dimensions)
  is refused from the header, before any pixel is decoded. Pillow's own bomb guard stays as
  Pillow sets it (about 89 million pixels), so a higher ``max_pixels`` does not go beyond it;
  no global state is changed.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

# Pillow format read -> (format written, content type, file extension)
OUTPUT_FORMATS = {
    "JPEG": ("JPEG", "image/jpeg", "jpg"),
    "PNG": ("PNG", "image/png", "png"),
    "WEBP": ("WEBP", "image/webp", "webp"),
    "GIF": ("PNG", "image/png", "png"),
}
EXTENSIONS = frozenset(ext for _, _, ext in OUTPUT_FORMATS.values())


class ImageRejected(ValueError):
    """The upload is not an image we take; ``code`` says why (see ``REASONS`` in the form)."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class ProcessedImage:
    data: bytes
    content_type: str
    extension: str
    width: int
    height: int


def process_image(data: bytes, *, max_bytes: int, max_pixels: int, max_side: int) -> ProcessedImage:
    """Re-encode ``data`` as a clean image, or raise ``ImageRejected``.

    Codes: ``too_large`` (more than ``max_bytes``), ``not_image`` (not a JPEG, PNG, WebP or GIF,
    whatever its name says), ``too_many_pixels`` (more than ``max_pixels``), ``damaged`` (an
    image that does not decode, such as a truncated file).
    """
    if len(data) > max_bytes:
        raise ImageRejected("too_large")
    # Pillow's own bomb check (Image.MAX_IMAGE_PIXELS, a process-wide global we leave alone)
    # stays on, its warning made an error; our own limit is checked from the header below.
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data), formats=list(OUTPUT_FORMATS))
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
            raise ImageRejected("too_many_pixels") from error
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
            raise ImageRejected("not_image") from error
        with image:
            source_format = image.format or ""
            if source_format not in OUTPUT_FORMATS:
                raise ImageRejected("not_image")
            # The size the header declares, before any pixel is decoded.
            if image.width * image.height > max_pixels:
                raise ImageRejected("too_many_pixels")
            try:
                image.seek(0)  # the first frame of an animation
                image.load()
                clean = _clean_pixels(image, OUTPUT_FORMATS[source_format][0], max_side)
            except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
                raise ImageRejected("too_many_pixels") from error
            except (OSError, SyntaxError, ValueError, EOFError) as error:
                raise ImageRejected("damaged") from error
    out_format, content_type, extension = OUTPUT_FORMATS[source_format]
    buffer = io.BytesIO()
    clean.save(buffer, out_format, **_SAVE_OPTIONS[out_format])
    return ProcessedImage(
        data=buffer.getvalue(),
        content_type=content_type,
        extension=extension,
        width=clean.width,
        height=clean.height,
    )


_SAVE_OPTIONS: dict[str, dict] = {
    "JPEG": {"quality": 85, "optimize": True},
    "PNG": {"optimize": True},
    "WEBP": {"quality": 85},
}


def _clean_pixels(image: Image.Image, out_format: str, max_side: int) -> Image.Image:
    """The pixels of ``image``, upright, in a mode ``out_format`` writes, with no metadata."""
    upright = ImageOps.exif_transpose(image) or image
    has_alpha = upright.mode in {"RGBA", "LA", "PA", "RGBa", "La"} or (
        upright.mode == "P" and "transparency" in upright.info
    )
    if out_format == "JPEG":
        mode = "L" if upright.mode in {"L", "1"} else "RGB"
    elif has_alpha:
        mode = "RGBA"
    elif upright.mode == "L" and out_format == "PNG":
        mode = "L"
    else:
        mode = "RGB"
    clean = upright.convert(mode)
    if clean is upright:
        clean = upright.copy()
    if max(clean.size) > max_side:
        clean.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    # A new image from the pixels alone: nothing of the original's info travels with it.
    fresh = Image.new(clean.mode, clean.size)
    fresh.paste(clean)
    fresh.info = {}
    return fresh
