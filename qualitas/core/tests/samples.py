"""Sample files of every accepted type, and disguised ones, made in memory for the tests."""

import functools
import io
import struct
import sys
import zipfile
from pathlib import Path

import weasyprint
from openpyxl import Workbook
from PIL import Image


def image(fmt, size=(8, 8)):
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, fmt)
    return buffer.getvalue()


@functools.cache
def pdf():
    return weasyprint.HTML(
        string="<h1>Calibration certificate</h1><p>Caliper 0-150 mm: within tolerance.</p>"
    ).write_pdf()


def xlsx():
    buffer = io.BytesIO()
    Workbook().save(buffer)
    return buffer.getvalue()


def ooxml(main_part, content_type):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            f'<Override PartName="/{main_part}" ContentType="{content_type}"/></Types>',
        )
        archive.writestr("_rels/.rels", '<?xml version="1.0"?><Relationships/>')
        archive.writestr(main_part, "<document/>")
    return buffer.getvalue()


def docx():
    return ooxml(
        "word/document.xml",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
    )


def pptx():
    return ooxml(
        "ppt/presentation.xml",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml",
    )


def opendocument(mime_type):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), mime_type)
        archive.writestr("content.xml", "<office:document-content/>")
    return buffer.getvalue()


def plain_zip():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readings.txt", "10.02\n9.98\n")
    return buffer.getvalue()


STEP = (
    b"ISO-10303-21;\nHEADER;\nFILE_DESCRIPTION(('bracket'),'2;1');\n"
    b"FILE_NAME('bracket.step','2026-01-01T00:00:00',(''),(''),'','','');\n"
    b"FILE_SCHEMA(('AUTOMOTIVE_DESIGN'));\nENDSEC;\nDATA;\n#1=CARTESIAN_POINT('',(0.,0.,0.));\n"
    b"ENDSEC;\nEND-ISO-10303-21;\n"
)


def iges():
    lines = [
        ("Bracket", "S      1"),
        ("1H,,1H;,7Hbracket,11Hbracket.igs,", "G      1"),
        ("     116       1       0       0       0       0       0       000000000", "D      1"),
        ("116,0.,0.,0.;", "P      1"),
        ("S      1G      1D      1P      1", "T      1"),
    ]
    return b"".join(f"{text:<72}{tag}\n".encode() for text, tag in lines)


STL_ASCII = (
    b"solid bracket\n facet normal 0 0 1\n  outer loop\n   vertex 0 0 0\n   vertex 1 0 0\n"
    b"   vertex 0 1 0\n  endloop\n endfacet\nendsolid bracket\n"
)


def stl_binary(triangles=2):
    header = b"binary STL of a bracket".ljust(80, b"\0")
    body = b"".join(struct.pack("<12fH", *([0.0] * 12), 0) for _ in range(triangles))
    return header + struct.pack("<I", triangles) + body


def executable():
    """A real ELF program: the Python interpreter running the tests."""
    return Path(sys.executable).resolve().read_bytes()[:65536]


def windows_executable():
    header = bytearray(512)
    header[0:2] = b"MZ"
    struct.pack_into("<I", header, 0x3C, 0x80)
    header[0x80:0x86] = b"PE\0\0\x4c\x01"
    return bytes(header)


HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
SVG = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
SHELL = b"#!/bin/sh\nrm -rf /\n"

#: (file name, content, the type detected) of every kind of file that is accepted by default.
ACCEPTED = [
    ("certificate.pdf", pdf, "application/pdf"),
    ("photo.png", lambda: image("PNG"), "image/png"),
    ("photo.jpg", lambda: image("JPEG"), "image/jpeg"),
    ("drawing.gif", lambda: image("GIF"), "image/gif"),
    ("photo.webp", lambda: image("WEBP"), "image/webp"),
    ("scan.tiff", lambda: image("TIFF"), "image/tiff"),
    ("notes.txt", lambda: "Maß 10,02 mm – in Toleranz\n".encode(), "text/plain"),
    ("readings.csv", lambda: b"part,measured,nominal\nA1,10.02,10.00\nA2,9.98,10.00\n", "text/csv"),
    ("report.docx", docx, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ("results.xlsx", xlsx, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ("review.pptx", pptx, "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
    (
        "procedure.odt",
        lambda: opendocument("application/vnd.oasis.opendocument.text"),
        "application/vnd.oasis.opendocument.text",
    ),
    (
        "plan.ods",
        lambda: opendocument("application/vnd.oasis.opendocument.spreadsheet"),
        "application/vnd.oasis.opendocument.spreadsheet",
    ),
    ("readings.zip", plain_zip, "application/zip"),
    ("bracket.step", lambda: STEP, "model/step"),
    ("bracket.igs", iges, "model/iges"),
    ("bracket.stl", lambda: STL_ASCII, "model/stl"),
    ("bracket-binary.stl", stl_binary, "model/stl"),
]
