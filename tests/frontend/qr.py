"""Reading a QR code off a screenshot: the PNG decoded with the standard
library (8-bit RGB or RGBA, as Chromium writes them), the code by zxing-cpp."""

from __future__ import annotations

import struct
import zlib

import zxingcpp

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
CHANNELS = {2: 3, 6: 4}  # colour type -> bytes per pixel (8-bit RGB, RGBA)


def grey_pixels(png: bytes) -> tuple[bytes, int, int]:
    """The image as one grey byte per pixel, row by row; and its size."""
    assert png[:8] == PNG_SIGNATURE, "not a PNG"
    pos, idat, header = 8, b"", b""
    while pos < len(png):
        (length,) = struct.unpack(">I", png[pos : pos + 4])
        kind, body = png[pos + 4 : pos + 8], png[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            header = body
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", header)
    assert depth == 8 and colour in CHANNELS and not interlace, header
    step = CHANNELS[colour]
    raw = zlib.decompress(idat)
    stride = width * step
    previous = bytearray(stride)
    grey = bytearray()
    for y in range(height):
        start = y * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1 : start + 1 + stride])
        for i in range(stride):
            left = line[i - step] if i >= step else 0
            up, corner = previous[i], previous[i - step] if i >= step else 0
            line[i] = (line[i] + _predict(kind, left, up, corner)) & 0xFF
        for x in range(0, stride, step):
            r, g, b = line[x : x + 3]
            grey.append((r * 299 + g * 587 + b * 114) // 1000)
        previous = line
    return bytes(grey), width, height


def _predict(kind: int, left: int, up: int, corner: int) -> int:
    if kind == 0:
        return 0
    if kind == 1:
        return left
    if kind == 2:
        return up
    if kind == 3:
        return (left + up) // 2
    guess = left + up - corner  # Paeth
    near = min((abs(guess - v), i) for i, v in enumerate((left, up, corner)))[1]
    return (left, up, corner)[near]


def read_qr(png: bytes) -> list[str]:
    """The texts of the QR codes in a PNG screenshot."""
    grey, width, height = grey_pixels(png)
    image = memoryview(grey).cast("B", (height, width))
    return [
        r.text
        for r in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
    ]
