"""Bounds on uploaded files, checked before any parser reads them (docs/security.md).

Every file field of the site is a `BoundedFileField` (its size checked before anything
reads it); the request as a whole is bounded by `RequestLimitsMiddleware`. A spreadsheet
is a zip, so its size says little: a few kilobytes can declare a sheet of 17 billion
cells (`A1:XFD1048576`, which calamine and openpyxl allocate) or inflate to gigabytes.
`check_xlsx` therefore reads the zip's central directory, then streams each member once
in bounded chunks — which also proves the declared sizes, since Python's zipfile stops at
the declared size and checks the CRC — scanning each worksheet's declared `<dimension>`
and every row and cell reference. The workbook reaches calamine, openpyxl or pyxform only
when it is known to be small.
"""

import io
import re
import struct
import zipfile
import zlib
from pathlib import Path
from typing import IO, Any

from django import forms
from django.conf import settings

from observatoire.core import formats

CHUNK = 1024 * 1024
MAX_TAG = CHUNK  # a tag or text longer than this (Excel caps a cell at 32,767 characters)
MAX_MEMBERS = 1000
EOCD = b"PK\x05\x06"
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
TAG = re.compile(
    rb"""<(?:[A-Za-z_][\w.-]*:)?(c|row|dimension)(?=[\s/>])((?:[^>"']|"[^"]*"|'[^']*')*)>"""
)
NAME = rb"<(?:[A-Za-z_][\w.-]*:)?"
CELL_COLUMN = re.compile(rb'<c r="([A-Z]{1,3})\d+"')
CELL_ROW = re.compile(rb'<c r="[A-Z]{1,3}(\d+)"')
ROW_REF = re.compile(rb'<row r="(\d+)"')
PLAIN_TAGS = (b"<c ", b"<c>", b"<c/>", b"<row ", b"<row>", b"<row/>")
# Any other spelling of a cell or row tag or of an r attribute (prefix, whitespace,
# quotes) sends the run to the tag-by-tag reading; text that merely looks so only costs time.
ODD = (b":c ", b":c>", b":row", b"<c\t", b"<c\n", b"<c\r", b"<row\t", b"<row\n", b"<row\r",
       b"\tr", b"\nr", b"\rr", b" r ", b" r\t", b" r\n", b" r\r", b" r='", b' r="$')  # fmt: skip
DIMENSION = re.compile(NAME + rb"(dimension)(?=[\s/>])((?:[^>\"']|\"[^\"]*\"|'[^']*')*)>")
REF_ATTR = re.compile(rb"""\b(r|ref)\s*=\s*["']([^"']*)["']""")
CELL = re.compile(rb"^\$?([A-Za-z]{0,3})\$?(\d*)$")


class UploadRejected(ValueError):
    """A file refused before parsing, with its French message."""

    def __init__(self, message: str):
        super().__init__(message)
        self.errors = [message]


def megabytes(size: int) -> str:
    """1.5 MiB → « 1,5 Mo » (French readers' notation)."""
    value = size / (1024 * 1024)
    return f"{formats.decimal(value, 1).removesuffix(',0')}{formats.NBSP}Mo"


def check_size(size: int | None, limit: int | None = None) -> None:
    limit = limit or settings.UPLOAD_MAX_BYTES
    if size is not None and size > limit:
        raise UploadRejected(
            f"Fichier trop volumineux ({megabytes(size)}) : {megabytes(limit)} au plus."
        )


def read_upload(file: IO[bytes] | Any, limit: int | None = None) -> bytes:
    """The file's bytes, its declared size checked first and at most `limit` + 1 read."""
    limit = limit or settings.UPLOAD_MAX_BYTES
    check_size(getattr(file, "size", None), limit)
    data = file.read(limit + 1)
    check_size(len(data), limit)
    return data


def read_path(path: str | Path, limit: int | None = None) -> bytes:
    """A file given on the command line, under the same bound as an upload."""
    with open(path, "rb") as handle:
        check_size(Path(path).stat().st_size, limit)
        return read_upload(handle, limit)


class BoundedFileField(forms.FileField):
    """A file field that refuses a file above its limit before anything reads it."""

    def __init__(self, *args: Any, max_bytes: int | None = None, **kwargs: Any):
        self.max_bytes = max_bytes
        super().__init__(*args, **kwargs)

    def validate(self, value: Any) -> None:
        super().validate(value)
        if value:
            try:
                check_size(value.size, self.max_bytes)
            except UploadRejected as exc:
                raise forms.ValidationError(str(exc), code="too_large") from exc


def check_xlsx(data: bytes) -> None:
    """Refuse a workbook whose members, rows, columns or cells exceed the limits."""
    _check_member_count(data)
    try:
        book = zipfile.ZipFile(io.BytesIO(data))
        members = book.infolist()
        declared = sum(member.file_size for member in members)
        limit = settings.XLSX_MAX_UNCOMPRESSED_BYTES
        if declared > limit:
            raise UploadRejected(
                f"Classeur refusé : {megabytes(declared)} une fois décompressé, "
                f"{megabytes(limit)} au plus."
            )
        for member in members:
            with book.open(member) as stream:
                _check_member(stream, member.filename)
    except UploadRejected:
        raise
    except (zipfile.LargeZipFile, NotImplementedError, RuntimeError, ValueError) as exc:
        raise UploadRejected(f"Classeur XLSX illisible ({exc}).") from exc
    except (zipfile.BadZipFile, OSError, EOFError, zlib.error) as exc:
        raise UploadRejected(f"Classeur XLSX illisible ({exc}).") from exc


def _check_member_count(data: bytes) -> None:
    """The central directory's entry count, read from its last 64 KiB before zipfile
    builds one object per entry."""
    position = data.rfind(EOCD, max(0, len(data) - 65_557))
    if position < 0 or len(data) < position + 22:
        raise UploadRejected("Classeur XLSX illisible (fin d'archive zip absente).")
    (entries,) = struct.unpack("<H", data[position + 10 : position + 12])
    if entries > MAX_MEMBERS:
        raise UploadRejected(
            f"Classeur refusé : {entries} fichiers dans l'archive, {MAX_MEMBERS} au plus."
        )


def _check_member(stream: IO[bytes], name: str) -> None:
    """Every XML member is scanned as a sheet (a workbook may name its sheets anything);
    other members are read through, which checks their declared size and CRC.

    Cells without a reference take the next position, as in every reader; a reference
    anywhere in a cell or row tag counts, so that no spelling of XML slips a far cell
    through."""
    max_row = max_col = row = col = 0
    buffer = stream.read(CHUNK)
    if buffer.startswith(UTF16_BOMS):
        raise UploadRejected(f"Classeur refusé : {name} est en UTF-16.")
    if not buffer.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
        while stream.read(CHUNK):
            pass
        return
    chunk = buffer
    while True:
        end = len(buffer) if not chunk else buffer.rfind(b"<")
        if end < 0:
            end = len(buffer)
        segment = buffer[:end]
        fast = _referenced_extent(segment)
        if fast is not None:  # every cell and row tag carries its reference (Excel, openpyxl)
            rows, columns = fast
            max_row, max_col = max(max_row, rows), max(max_col, columns)
            row, col = max_row, max_col  # a later tag without reference counts from there
        for match in TAG.finditer(segment) if fast is None else DIMENSION.finditer(segment):
            kind = match.group(1)
            refs = [ref for _attr, ref in REF_ATTR.findall(match.group(2))]
            if kind == b"dimension":
                for ref in b":".join(refs).split(b":"):
                    letters, digits = _cell(ref)
                    max_col, max_row = max(max_col, letters), max(max_row, digits)
            elif kind == b"row":
                row = max((_cell(ref)[1] for ref in refs), default=row + 1) or row + 1
                col = 0
            else:
                letters, digits = _cell(refs[0]) if refs else (0, 0)
                col = letters or col + 1
                row = max(row, digits)
            max_row, max_col = max(max_row, row), max(max_col, col)
        _check_bounds(max_row, max_col, name)  # per chunk: numbers only until then
        buffer = buffer[end:]
        if not chunk:
            return
        if len(buffer) > MAX_TAG:
            raise UploadRejected(f"Classeur refusé : balise XML démesurée dans {name}.")
        chunk = stream.read(CHUNK)
        buffer += chunk


def _referenced_extent(segment: bytes) -> tuple[int, int] | None:
    """(last row, last column) of a run of complete tags written as Excel and openpyxl
    write them (`<c r="B7" …>`, `<row r="7" …>`, the reference first), found by C-level
    scans; None sends the run through the tag-by-tag reading (a prefix, a tag without
    reference, any other spelling)."""
    if any(odd in segment for odd in ODD):
        return None
    columns, cell_rows = CELL_COLUMN.findall(segment), CELL_ROW.findall(segment)
    rows = ROW_REF.findall(segment)
    tags = sum(segment.count(tag) for tag in PLAIN_TAGS)
    if len(columns) + len(rows) != tags or segment.count(b" r=") != tags:
        return None
    last_row = max(map(int, {*cell_rows, *rows}), default=0)
    return last_row, max((_cell(column + b"1")[0] for column in set(columns)), default=0)


def _cell(ref: bytes) -> tuple[int, int]:
    """`XFD1048576` → (16384, 1048576); (0, 0) for what is not a cell reference."""
    match = CELL.match(ref.strip())
    if not match:
        return 0, 0
    column = 0
    for letter in match.group(1).upper():
        column = column * 26 + letter - 64
    return column, int(match.group(2) or 0)


def _check_bounds(rows: int, columns: int, name: str) -> None:
    sheet = name.rsplit("/", 1)[-1]
    if rows > settings.XLSX_MAX_ROWS:
        raise UploadRejected(
            f"Classeur refusé : la feuille {sheet} compte {formats.integer(rows)} lignes, "
            f"{formats.integer(settings.XLSX_MAX_ROWS)} au plus."
        )
    if rows * columns > settings.XLSX_MAX_CELLS:
        raise UploadRejected(
            f"Classeur refusé : la feuille {sheet} couvre {formats.integer(rows)} lignes × "
            f"{formats.integer(columns)} colonnes, {formats.integer(settings.XLSX_MAX_CELLS)} cellules au plus."
        )
