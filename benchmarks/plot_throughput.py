#!/usr/bin/env python3
"""Draws throughput by shape, Microsoft.ML.Lstm against PyTorch, training and inference, into a PNG.

Reads the medians either from a JSON file that `benchmarks/compare.sh --json FILE` writes, or from the
first table under a heading of benchmarks/RESULTS.md (by default "### 2 threads").
  /usr/bin/python3 benchmarks/plot_throughput.py [--json FILE | --results RESULTS.md --section "### 2 threads"]
Needs matplotlib (Debian python3-matplotlib; tools/install-torch.sh installs it).
"""
import argparse
import json
import os

import matplotlib

matplotlib.use("Agg")  # no display here
import matplotlib.pyplot as plt

HERE = os.path.dirname(os.path.abspath(__file__))


def rows_from_results(path, section):
    """(case, metric, ours, peer) for each row of the first Markdown table after `section`."""
    rows, inside = [], False
    for line in open(path, encoding="utf-8"):
        if line.strip() == section:
            inside = True
        elif inside and line.startswith("| ") and not line.startswith("| case"):
            case, metric, ours, peer = [cell.strip() for cell in line.strip().strip("|").split("|")][:4]
            rows.append((case, metric, float(ours.replace(",", "")), float(peer.replace(",", ""))))
        elif inside and rows and not line.startswith("|"):
            break
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--json", help="medians written by compare.sh --json")
    parser.add_argument("--results", default=os.path.join(HERE, "RESULTS.md"))
    parser.add_argument("--section", default="### 2 threads")
    parser.add_argument("--title", default="LSTM / GRU throughput, 2 threads (higher is better; labels: ours ÷ PyTorch)")
    parser.add_argument("--out", default=os.path.join(HERE, "throughput.png"))
    args = parser.parse_args()
    if args.json:
        rows = [(r["case"], r["metric"], r["ours"], r["peer"]) for r in json.load(open(args.json))]
    else:
        rows = rows_from_results(args.results, args.section)

    metrics = [("training_steps_per_s", "training (forward + backward + Adam)"),
               ("inference_steps_per_s", "inference (forward)")]
    fig, axes = plt.subplots(2, 1, figsize=(11, 7.5))
    for ax, (metric, label) in zip(axes, metrics):
        chosen = [r for r in rows if r[1] == metric]
        cases = [r[0] for r in chosen]
        x = range(len(chosen))
        width = 0.4
        ax.bar([i - width / 2 for i in x], [r[2] / 1e3 for r in chosen], width, label="Microsoft.ML.Lstm", color="#5c2d91")
        ax.bar([i + width / 2 for i in x], [r[3] / 1e3 for r in chosen], width, label="PyTorch 1.13 (CPU)", color="#ee4c2c")
        for i, r in enumerate(chosen):  # the ratio above each pair is what the targets are about
            ax.annotate(f"{r[2] / r[3]:.2f}×", (i, max(r[2], r[3]) / 1e3), ha="center", va="bottom", fontsize=8,
                        xytext=(0, 2), textcoords="offset points")
        ax.set_xticks(list(x), cases)
        ax.set_ylabel("thousand time steps / s")
        ax.set_title(label, fontsize=10)
        ax.margins(y=0.12)
        ax.grid(axis="y", alpha=0.3)
        ax.legend(fontsize=8, loc="upper right")
    fig.suptitle(args.title + "\nshapes: a = in 128, hid 256, batch 64, 100 steps; b = in 64, hid 128, 2 layers, "
                 "batch 32, 50 steps; c = in 512, hid 512, batch 64, 100 steps", fontsize=10)
    fig.tight_layout()
    fig.savefig(args.out, dpi=110)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
