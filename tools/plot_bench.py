#!/usr/bin/env python3
"""Plots `clipstream bench --json` output: end-to-end throughput and p99 latency against batch size.

Usage: /usr/bin/python3 tools/plot_bench.py bench.json docs/benchmarks.png
"""
import json
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def main():
    figures = json.load(open(sys.argv[1]))
    sizes = sorted(int(k.rsplit("_", 1)[1]) for k in figures if k.startswith("e2e_events_per_s_batch_"))
    throughput = [figures["e2e_events_per_s_batch_%d" % b] for b in sizes]
    p99 = [figures["p99_ms_batch_%d" % b] / 1000.0 for b in sizes]
    fig, left = plt.subplots(figsize=(7, 4))
    left.plot(sizes, throughput, "o-", color="tab:blue", label="end-to-end events/s")
    left.axhline(figures["bare_images_per_s"], color="tab:blue", linestyle=":", label="bare loop images/s")
    if "peer_events_per_s" in figures:
        left.axhline(figures["peer_events_per_s"], color="tab:green", linestyle="--", label="Python peer events/s")
    left.set_xlabel("batch size (batch.max.size = inference.max.batch.size)")
    left.set_ylabel("events per second")
    left.set_xticks(sizes)
    right = left.twinx()
    right.plot(sizes, p99, "s-", color="tab:red", label="p99 end to end (s, backlog)")
    right.set_ylabel("p99 latency, seconds")
    lines = left.get_legend_handles_labels()[0] + right.get_legend_handles_labels()[0]
    labels = left.get_legend_handles_labels()[1] + right.get_legend_handles_labels()[1]
    left.legend(lines, labels, loc="upper left", fontsize=8)
    plt.title("%s on %d cores, %d events" % (figures["model"], figures["cores"], figures["images"]))
    fig.tight_layout()
    fig.savefig(sys.argv[2], dpi=110)


if __name__ == "__main__":
    main()
