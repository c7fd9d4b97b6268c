#!/usr/bin/env python3
"""The PyTorch peer of the side-by-side benchmark (benchmarks/compare.sh runs it).

Measures the same shapes as Microsoft.ML.Lstm.Benchmarks' `shapes` mode and prints one JSON object
per line: {"engine": "pytorch", "case": ..., "metric": ..., "value": ...}.

  training   forward + backward + Adam step on a batch, in time steps per second (batch · steps / s; with --ragged,
             sequences of lengths spread from a tenth of the steps to all of them, and the sum of their lengths per
             second: PyTorch at the better of its two ways with such a batch, packed once by pack_padded_sequence, or
             padded to the longest with the loss masked, each figure the faster way's)
  inference  forward only under torch.no_grad(), in time steps per second
  latency    one sequence (batch 1, 50 steps, hidden 128) forward, in microseconds (measure_latency_int8:
             the same through the dynamically quantized int8 LSTM, compare-latency.sh's int8 peer)

Run it at its best (compare.sh does): unset OPENBLAS_CORETYPE (this machine's environment forces
Haswell kernels at half speed) and, for two threads, OMP_WAIT_POLICY=PASSIVE.
Needs Debian's python3-torch: `bash tools/install-torch.sh`.
"""
import argparse
import json
import sys
import time

import torch

SHAPES = {
    # name: (input, hidden, layers, batch, steps)
    "a": (128, 256, 1, 64, 100),
    "b": (64, 128, 2, 32, 50),
    "c": (512, 512, 1, 64, 100),
}


def timings(action, min_repeats, min_seconds):
    """(median, fastest) seconds of one call, after a warm-up, over at least min_repeats calls and min_seconds."""
    action()  # warm up
    times = []
    started = time.perf_counter()
    while len(times) < min_repeats or time.perf_counter() - started < min_seconds:
        t0 = time.perf_counter()
        action()
        times.append(time.perf_counter() - t0)
    times.sort()
    return times[len(times) // 2], times[0]


def median_seconds(action, min_repeats, min_seconds):
    return timings(action, min_repeats, min_seconds)[0]


def build(kind, input_size, hidden, layers, bidirectional):
    cls = torch.nn.GRU if kind == "gru" else torch.nn.LSTM
    return cls(input_size, hidden, num_layers=layers, bidirectional=bidirectional)


def ragged_lengths(batch, steps):
    """RecurrentShape.RaggedLengths in the benchmarks app: evenly spread from a tenth of the steps (at least 1) to all."""
    shortest = max(1, steps // 10)
    return [steps if batch == 1 else shortest + (steps - shortest) * i // (batch - 1) for i in range(batch)]


def measure_shape(kind, bidirectional, shape, args):
    input_size, hidden, layers, batch, steps = SHAPES[shape]
    case = f"{kind}{'-bi' if bidirectional else ''}-{shape}"
    lengths = ragged_lengths(batch, steps) if args.ragged else [steps] * batch
    # Each figure twice: at the median call, and at the fastest (compare.sh's second table). A ragged batch is timed
    # both ways PyTorch takes it, and each figure is the better way's (packing skips the padding's work, but its
    # backward measured slower than padding's on this project's CPUs; padding computes every step of every sequence).
    ways = ("packed", "padded") if args.ragged else ("padded",)
    for metric in ("training_steps_per_s", "inference_steps_per_s"):
        best_median, best_fastest = 0.0, 0.0
        for way in ways:
            train_step, infer = shape_actions(kind, bidirectional, shape, lengths, way)
            median, fastest = timings(train_step if metric.startswith("training") else infer, args.repeats, args.seconds)
            if args.ragged:
                print(f"# {case} {metric} {way}: {sum(lengths) / median:,.0f} median, {sum(lengths) / fastest:,.0f} fastest", file=sys.stderr)
            best_median, best_fastest = max(best_median, sum(lengths) / median), max(best_fastest, sum(lengths) / fastest)
        emit(case, metric, best_median)
        emit(case, "fastest_" + metric, best_fastest)


def shape_actions(kind, bidirectional, shape, lengths, way):
    """A training step (forward, mean-square loss over the sequences' steps, backward, Adam) and an inference call."""
    input_size, hidden, layers, batch, steps = SHAPES[shape]
    torch.manual_seed(1)
    rnn = build(kind, input_size, hidden, layers, bidirectional)
    x = torch.randn(steps, batch, input_size)
    optimizer = torch.optim.Adam(rnn.parameters(), lr=1e-3)
    packed = way == "packed"
    if packed:
        x = torch.nn.utils.rnn.pack_padded_sequence(x, torch.tensor(lengths), enforce_sorted=False)
    # Padded with sequences shorter than the batch: only their own steps count in the loss.
    mask = (torch.arange(steps).unsqueeze(1) < torch.tensor(lengths).unsqueeze(0)).unsqueeze(2).float()
    masked = min(lengths) < steps

    def train_step():
        optimizer.zero_grad(set_to_none=False)
        out, _ = rnn(x)
        if packed:
            loss = out.data.square().mean()
        elif masked:
            loss = (out.square() * mask).sum() / (mask.sum() * out.shape[2])
        else:
            loss = out.square().mean()
        loss.backward()
        optimizer.step()

    def infer():
        with torch.no_grad():
            rnn(x)

    return train_step, infer


def measure_latency(args):
    torch.manual_seed(1)
    rnn = torch.nn.LSTM(128, 128)
    x = torch.randn(50, 1, 128)

    def infer():
        with torch.no_grad():
            rnn(x)

    median, fastest = timings(infer, args.repeats * 20, args.seconds)
    emit("lstm-latency", "latency_us", median * 1e6)
    emit("lstm-latency", "fastest_latency_us", fastest * 1e6)


class _Wrapped(torch.nn.Module):
    """A module around the LSTM: quantize_dynamic swaps submodules, never the module it is given."""

    def __init__(self, rnn):
        super().__init__()
        self.rnn = rnn

    def forward(self, x):
        return self.rnn(x)


def measure_latency_int8(args):
    """The latency case through PyTorch's dynamically quantized LSTM (int8 weights with a scale per tensor or row,
    activations quantized to uint8 per call): the peer of our int8 weights. Every quantized engine this build has is
    timed and the fastest reported (Debian's build has qnnpack and onednn, not fbgemm)."""
    x = torch.randn(50, 1, 128)
    best, best_engine = float("inf"), None
    for engine in torch.backends.quantized.supported_engines:
        if engine == "none":
            continue
        torch.backends.quantized.engine = engine
        torch.manual_seed(1)
        model = torch.ao.quantization.quantize_dynamic(_Wrapped(torch.nn.LSTM(128, 128)), {torch.nn.LSTM}, dtype=torch.qint8)
        if not isinstance(model.rnn, torch.ao.nn.quantized.dynamic.LSTM):
            continue

        def infer():
            with torch.no_grad():
                model(x)

        t = median_seconds(infer, args.repeats * 20, args.seconds)
        print(f"# dynamic int8 LSTM on {engine}: {t * 1e6:.1f} µs", file=sys.stderr)
        if t < best:
            best, best_engine = t, engine
    if best_engine is not None:
        emit("lstm-latency-int8", "latency_us", best * 1e6)


def emit(case, metric, value):
    print(json.dumps({"engine": "pytorch", "case": case, "metric": metric, "value": value}), flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=1.0, help="least time spent measuring each figure")
    parser.add_argument("--shapes", default="a,b,c")
    parser.add_argument("--kinds", default="lstm,gru,lstm-bi")
    parser.add_argument("--ragged", action="store_true", help="sequences of uneven lengths, packed (see ragged_lengths)")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    print(f"# torch {torch.__version__}, threads {torch.get_num_threads()}", file=sys.stderr)
    for kind in args.kinds.split(","):
        bidirectional = kind.endswith("-bi")
        for shape in args.shapes.split(","):
            measure_shape(kind.removesuffix("-bi"), bidirectional, shape, args)
    measure_latency(args)


if __name__ == "__main__":
    main()
