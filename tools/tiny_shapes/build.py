"""Reproduce models/tiny-shapes end to end: train, export to ONNX, evaluate and write the CI sample.

    cd <repo root> && /usr/bin/python3 -m tools.tiny_shapes.build

Options are passed through: --work (checkpoint folder, default /tmp/tiny-shapes-work), --heldout (held-out
folder, default /tmp/tiny-shapes-heldout).
"""
import argparse
import time

from . import evaluate, export, train


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", default="models/tiny-shapes")
    p.add_argument("--work", default="/tmp/tiny-shapes-work")
    p.add_argument("--heldout", default="/tmp/tiny-shapes-heldout")
    args = p.parse_args(argv)
    t0 = time.time()
    train.main(["--out", args.out, "--work", args.work])
    export.main(["--out", args.out, "--work", args.work])
    evaluate.main([args.heldout, "--model", args.out, "--work", args.work])
    print(f"done in {time.time() - t0:.0f}s")


if __name__ == "__main__":
    main()
