#!/usr/bin/env python3
"""Draws architecture.png from architecture.dot with Graphviz and stores the DOT source in the PNG.

The source goes into a PNG tEXt chunk (keyword ``clipstream-dot``), so TopologyDiagramTest can check that the
committed picture was drawn from the current topology, not only that architecture.dot is current.

    ./clipstream topology --dot > architecture.dot && /usr/bin/python3 tools/draw_architecture.py
"""
import argparse
import struct
import subprocess
import zlib

KEYWORD = b"clipstream-dot"


def chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def with_source(png: bytes, source: bytes) -> bytes:
    if png[:8] != b"\x89PNG\r\n\x1a\n":
        raise SystemExit("dot did not write a PNG")
    ihdr_end = 8 + 4 + 4 + struct.unpack(">I", png[8:12])[0] + 4
    return png[:ihdr_end] + chunk(b"tEXt", KEYWORD + b"\0" + source) + png[ihdr_end:]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--dot", default="architecture.dot")
    p.add_argument("--png", default="architecture.png")
    p.add_argument("--dpi", default="110")
    args = p.parse_args()
    with open(args.dot, "rb") as f:
        source = f.read()
    source.decode("latin-1")  # tEXt is Latin-1; the topology's names are ASCII
    png = subprocess.run(["dot", "-Tpng", "-Gdpi=" + args.dpi, args.dot], check=True, capture_output=True).stdout
    with open(args.png, "wb") as f:
        f.write(with_source(png, source))


if __name__ == "__main__":
    main()
