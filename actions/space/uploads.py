"""What may be uploaded: PDF, images, office documents and CSV, at most 10 MB, content matching
the extension. Files are stored under a random name (see `document_upload_to`); the original name
is kept, stripped of any path, for the download.

Home-made: python-magic needs the system libmagic, for what is here a few magic numbers and a zip.
"""

import re
import unicodedata
import zipfile
from pathlib import PurePosixPath

from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat

MAX_UPLOAD_SIZE = 10 * 1024 * 1024

PDF, PNG, JPEG, GIF, WEBP, OOXML, ODF, OLE2, CSV = (
    "pdf", "png", "jpeg", "gif", "webp", "ooxml", "odf", "ole2", "csv",
)  # fmt: skip

KIND_BY_EXTENSION = {
    ".pdf": PDF,
    ".png": PNG,
    ".jpg": JPEG,
    ".jpeg": JPEG,
    ".gif": GIF,
    ".webp": WEBP,
    ".docx": OOXML,
    ".xlsx": OOXML,
    ".pptx": OOXML,
    ".odt": ODF,
    ".ods": ODF,
    ".odp": ODF,
    ".doc": OLE2,
    ".xls": OLE2,
    ".ppt": OLE2,
    ".csv": CSV,
}
ODF_MIMETYPES = {
    ".odt": b"application/vnd.oasis.opendocument.text",
    ".ods": b"application/vnd.oasis.opendocument.spreadsheet",
    ".odp": b"application/vnd.oasis.opendocument.presentation",
}
OOXML_FOLDERS = {".docx": "word/", ".xlsx": "xl/", ".pptx": "ppt/"}
CONTENT_TYPES = {
    ".pdf": "application/pdf",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ".odt": "application/vnd.oasis.opendocument.text",
    ".ods": "application/vnd.oasis.opendocument.spreadsheet",
    ".odp": "application/vnd.oasis.opendocument.presentation",
    ".doc": "application/msword",
    ".xls": "application/vnd.ms-excel",
    ".ppt": "application/vnd.ms-powerpoint",
    ".csv": "text/csv",
}
ACCEPT = ",".join(KIND_BY_EXTENSION)
ALLOWED_LABEL = "PDF, images (PNG, JPEG, GIF, WebP), documents bureautiques (Word, Excel, "
ALLOWED_LABEL += "PowerPoint, LibreOffice) ou CSV"

OLE2_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_SIGNATURE = b"PK\x03\x04"
# Control characters that never occur in a text file (tab, line feeds and form feed are allowed).
CSV_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")


def safe_original_name(name, max_length=255):
    """The file's own name: no folder (either slash), no control character, no leading dot."""
    name = unicodedata.normalize("NFC", str(name or ""))
    name = name.replace("\\", "/").split("/")[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = name.strip().lstrip(".").strip()
    if not name:
        return "document"
    if len(name) > max_length:
        suffix = PurePosixPath(name).suffix[:16]
        name = name[: max_length - len(suffix)] + suffix
    return name


def extension_of(name):
    return PurePosixPath(safe_original_name(name)).suffix.lower()


def content_type_for(name):
    return CONTENT_TYPES.get(extension_of(name), "application/octet-stream")


def _read_head(uploaded, length=64):
    uploaded.seek(0)
    head = uploaded.read(length)
    uploaded.seek(0)
    return head


def _zip_names(uploaded):
    uploaded.seek(0)
    try:
        with zipfile.ZipFile(uploaded) as archive:
            names = set(archive.namelist())
            mimetype = b""
            if "mimetype" in names and archive.getinfo("mimetype").file_size <= 200:
                mimetype = archive.read("mimetype").strip()
            return names, mimetype
    except (zipfile.BadZipFile, OSError, ValueError, RuntimeError, NotImplementedError):
        return None, b""
    finally:
        uploaded.seek(0)


def _looks_like_text(uploaded):
    uploaded.seek(0)
    data = uploaded.read()
    uploaded.seek(0)
    if b"\x00" in data:
        return False
    for encoding in ("utf-8-sig", "cp1252", "latin-1"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        return CSV_FORBIDDEN.search(text) is None
    return False


def _content_matches(uploaded, extension):
    kind = KIND_BY_EXTENSION[extension]
    head = _read_head(uploaded)
    if kind == PDF:
        return head.startswith(b"%PDF-")
    if kind == PNG:
        return head.startswith(b"\x89PNG\r\n\x1a\n")
    if kind == JPEG:
        return head.startswith(b"\xff\xd8\xff")
    if kind == GIF:
        return head[:6] in (b"GIF87a", b"GIF89a")
    if kind == WEBP:
        return head[:4] == b"RIFF" and head[8:12] == b"WEBP"
    if kind == OLE2:
        return head.startswith(OLE2_SIGNATURE)
    if kind in (OOXML, ODF):
        if not head.startswith(ZIP_SIGNATURE):
            return False
        names, mimetype = _zip_names(uploaded)
        if names is None:
            return False
        if kind == OOXML:
            folder = OOXML_FOLDERS[extension]
            return "[Content_Types].xml" in names and any(n.startswith(folder) for n in names)
        return mimetype == ODF_MIMETYPES[extension]
    if kind == CSV:
        return _looks_like_text(uploaded)
    return False


def validate_upload(uploaded):
    """Raise a French ValidationError unless `uploaded` is accepted; return its safe name."""
    name = safe_original_name(getattr(uploaded, "name", ""))
    extension = extension_of(name)
    if extension not in KIND_BY_EXTENSION:
        raise ValidationError(
            "Ce type de fichier n'est pas accepté. Formats acceptés : %(allowed)s.",
            code="extension",
            params={"allowed": ALLOWED_LABEL},
        )
    size = uploaded.size or 0
    if size == 0:
        raise ValidationError("Le fichier est vide.", code="empty")
    if size > MAX_UPLOAD_SIZE:
        raise ValidationError(
            "Le fichier pèse %(size)s : la taille maximale est de %(maximum)s.",
            code="too_big",
            params={"size": filesizeformat(size), "maximum": filesizeformat(MAX_UPLOAD_SIZE)},
        )
    if not _content_matches(uploaded, extension):
        raise ValidationError(
            "Le contenu du fichier ne correspond pas à son extension « %(extension)s ». "
            "Enregistrez-le à nouveau dans ce format ou choisissez un autre fichier.",
            code="content",
            params={"extension": extension},
        )
    return name
