"""Upload validation: type by extension and content, size, names without paths."""

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from actions.space.uploads import MAX_UPLOAD_SIZE, safe_original_name, validate_upload


def zip_bytes(entries):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


DOCX = zip_bytes({"[Content_Types].xml": "<Types/>", "word/document.xml": "<w:document/>"})
XLSX = zip_bytes({"[Content_Types].xml": "<Types/>", "xl/workbook.xml": "<workbook/>"})
ODT = zip_bytes({"mimetype": "application/vnd.oasis.opendocument.text", "content.xml": "<x/>"})
ODS = zip_bytes(
    {"mimetype": "application/vnd.oasis.opendocument.spreadsheet", "content.xml": "<x/>"}
)
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 200
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 20
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 20
GIF = b"GIF89a" + b"\x01\x00\x01\x00" + b"\x00" * 20
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 20
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"
CSV_UTF8 = "commune;population\nAmboise;13 000\nBléré;5 400\n".encode()
CSV_LATIN1 = "commune;population\nBléré;5 400\n".encode("latin-1")
ELF = b"\x7fELF\x02\x01\x01" + b"\x00" * 50


def upload(name, data):
    return SimpleUploadedFile(name, data)


@pytest.mark.parametrize(
    "name,data",
    [
        ("rapport.pdf", PDF),
        ("photo.PNG", PNG),
        ("photo.jpg", JPEG),
        ("photo.jpeg", JPEG),
        ("anim.gif", GIF),
        ("image.webp", WEBP),
        ("note.docx", DOCX),
        ("budget.xlsx", XLSX),
        ("note.odt", ODT),
        ("budget.ods", ODS),
        ("ancien.doc", OLE2),
        ("ancien.xls", OLE2),
        ("ancien.ppt", OLE2),
        ("communes.csv", CSV_UTF8),
        ("communes.csv", CSV_LATIN1),
    ],
)
def test_accepted(name, data):
    assert validate_upload(upload(name, data)) == name


@pytest.mark.parametrize(
    "name,data",
    [
        ("rapport.pdf", PNG),  # an image renamed
        ("photo.png", JPEG),
        ("photo.jpg", PDF),
        ("programme.pdf", ELF),  # an executable renamed
        ("note.docx", ODT),  # a zip, but not OOXML
        ("note.docx", XLSX),  # OOXML, but a spreadsheet
        ("note.odt", ODS),  # ODF, but a spreadsheet
        ("note.odt", DOCX),
        ("archive.xlsx", zip_bytes({"secret.txt": "x"})),  # a plain zip renamed
        ("ancien.doc", DOCX),
        ("donnees.csv", ELF),
        ("donnees.csv", b"a;b\n\x00\x01\x02"),
        ("image.webp", b"RIFF\x24\x00\x00\x00WAVEfmt "),
        ("note.docx", b"PK\x03\x04 not really a zip"),
    ],
)
def test_content_must_match_extension(name, data):
    with pytest.raises(ValidationError) as error:
        validate_upload(upload(name, data))
    assert error.value.code == "content"
    assert "ne correspond pas à son extension" in error.value.messages[0]


@pytest.mark.parametrize(
    "name", ["page.html", "dessin.svg", "script.js", "programme.exe", "archive.zip", "sans-ext"]
)
def test_other_types_are_refused(name):
    with pytest.raises(ValidationError) as error:
        validate_upload(upload(name, PDF))
    assert error.value.code == "extension"
    assert "Ce type de fichier n'est pas accepté" in error.value.messages[0]


def test_too_big():
    data = PDF + b"0" * (MAX_UPLOAD_SIZE - len(PDF) + 1)
    with pytest.raises(ValidationError) as error:
        validate_upload(upload("gros.pdf", data))
    assert error.value.code == "too_big"
    assert "10,0\u00a0Mio" in error.value.messages[0]


def test_exactly_ten_megabytes_is_accepted():
    data = PDF + b"0" * (MAX_UPLOAD_SIZE - len(PDF))
    assert validate_upload(upload("juste.pdf", data)) == "juste.pdf"


def test_empty_file():
    with pytest.raises(ValidationError) as error:
        validate_upload(upload("vide.pdf", b""))
    assert error.value.code == "empty"


@pytest.mark.parametrize(
    "raw,expected",
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("..\\..\\Windows\\system32\\rapport.pdf", "rapport.pdf"),
        ("C:\\Users\\camille\\Bureau\\bilan 2024.xlsx", "bilan 2024.xlsx"),
        ("/var/www/../secret.csv", "secret.csv"),
        ("nom\x00caché.pdf", "nomcaché.pdf"),
        ("retour\r\nligne.pdf", "retourligne.pdf"),
        (".htaccess", "htaccess"),
        ("..", "document"),
        ("", "document"),
        ("x" * 300 + ".pdf", "x" * 251 + ".pdf"),
    ],
)
def test_safe_original_name(raw, expected):
    assert safe_original_name(raw) == expected
