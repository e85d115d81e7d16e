"""Hostile files, made by the tests with the real tools (openpyxl writes a workbook,
zipfile rewrites one member): the dimension bomb, zip bombs, an oversized CSV."""

import io
import struct
import zipfile
from pathlib import Path

from openpyxl import Workbook

SHEET = "xl/worksheets/sheet1.xml"


def workbook(rows: list[list[object]]) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def rewrite(data: bytes, member: str, change, zip64: bool = True) -> bytes:
    """The same zip with one member's content passed through `change(bytes) -> chunks`."""
    output = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            content = source.read(info)
            if info.filename != member:
                target.writestr(info.filename, content)
                continue
            with target.open(info.filename, "w", force_zip64=zip64) as stream:
                for chunk in change(content):
                    stream.write(chunk)
    return output.getvalue()


def dimension_bomb(
    rows: list[list[object]], ref: str = "A1:XFD1048576", used: bool = True
) -> bytes:
    """A tiny workbook (under 5 KB) whose sheet declares `ref` as its dimension and, when
    `used`, holds one cell at its far corner: calamine allocates the whole range (17
    billion cells, 512 GiB, for XFD1048576) and aborts the process."""
    corner = ref.split(":")[-1]
    row = "".join(ch for ch in corner if ch.isdigit())

    def declare(content: bytes):
        start = content.index(b"<dimension ")
        end = content.index(b"/>", start) + 2
        content = content[:start] + f'<dimension ref="{ref}"/>'.encode() + content[end:]
        if used:
            far = f'<row r="{row}"><c r="{corner}" t="inlineStr"><is><t>x</t></is></c></row>'
            content = content.replace(b"</sheetData>", far.encode() + b"</sheetData>")
        yield content

    return rewrite(workbook(rows), SHEET, declare)


def zip_bomb(rows: list[list[object]], inflated: int = 400 * 1024 * 1024) -> bytes:
    """A workbook whose sheet inflates to `inflated` bytes of XML whitespace (~400 KB zipped)."""

    def pad(content: bytes):
        head = content.index(b">") + 1  # whitespace inside <worksheet>, before <sheetPr>
        yield content[:head]
        blank = b" " * (1024 * 1024)
        for _ in range(inflated // len(blank)):
            yield blank
        yield content[head:]

    return rewrite(workbook(rows), SHEET, pad, zip64=inflated > 1 << 31)


def oversized_csv(path: Path, size: int, header: str = "siren,nom\n") -> Path:
    """A valid CSV of `size` bytes, written line by line."""
    line = b"217804905,Plaisir\n"
    with open(path, "wb") as handle:
        handle.write(header.encode())
        for _ in range(size // len(line) + 1):
            handle.write(line)
    return path


def lying_zip(rows: list[list[object]], inflated: int, declared: int) -> bytes:
    """A zip bomb whose sheet declares `declared` bytes in both the local header and the
    central directory while it inflates to `inflated` (readers that trust it are fooled)."""
    data = bytearray(zip_bomb(rows, inflated))
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as book:
        info = book.getinfo(SHEET)
        central = book.start_dir
    assert not info.extra, "the sheet must have 32-bit sizes"
    struct.pack_into("<I", data, info.header_offset + 22, declared)
    position = central
    while data[position : position + 4] == b"PK\x01\x02":
        name_length, extra_length, comment_length = struct.unpack_from("<HHH", data, position + 28)
        if data[position + 46 : position + 46 + name_length] == SHEET.encode():
            struct.pack_into("<I", data, position + 24, declared)
        position += 46 + name_length + extra_length + comment_length
    return bytes(data)
