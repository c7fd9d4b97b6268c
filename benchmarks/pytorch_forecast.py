#!/usr/bin/env python3
"""PyTorch peer of Microsoft.ML.Lstm.Benchmarks' `forecast` mode (issue #10).

Trains the network ForecastByLstm builds by default: windows of 24 steps x 2 values (scaled value, missing flag) ->
LSTM 32 -> the last step -> dropout 0.1 -> dense 36 (12 steps x 3 quantile levels 0.5, 0.1, 0.9) plus a linear skip
from the window's 24 scaled values -> pinball loss; Adam 3e-3, batch 32, clipping at global norm 5, a fixed number of
epochs, no validation, on the same kind of synthetic windows. Prints, as JSON lines, training windows per second and
forecast windows per second (batches of 256).
  python3 benchmarks/pytorch_forecast.py [--threads 2] [--epochs 5] [--seed 1] [--windows 4096]
"""
import argparse
import json
import math
import time

import torch

WINDOW, HORIZON, HIDDEN, LEVELS = 24, 12, 32, (0.5, 0.1, 0.9)


class Forecaster(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = torch.nn.LSTM(2, HIDDEN, batch_first=True)
        self.dropout = torch.nn.Dropout(0.1)
        self.dense = torch.nn.Linear(HIDDEN, HORIZON * len(LEVELS))
        self.skip = torch.nn.Linear(WINDOW, HORIZON * len(LEVELS))

    def forward(self, x):
        out, _ = self.lstm(x)
        return self.dense(self.dropout(out[:, -1, :])) + self.skip(x[:, :, 0])


def pinball(outputs, targets):
    outputs = outputs.view(-1, len(LEVELS), HORIZON)
    levels = torch.tensor(LEVELS).view(1, -1, 1)
    error = targets.unsqueeze(1) - outputs
    return torch.maximum(levels * error, (levels - 1) * error).mean()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--windows", type=int, default=4096)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    generator = torch.Generator().manual_seed(args.seed)
    phase = torch.rand(args.windows, 1, generator=generator) * 2 * math.pi
    steps = torch.arange(WINDOW).float().view(1, -1)
    x = torch.zeros(args.windows, WINDOW, 2)
    x[:, :, 0] = torch.sin(2 * math.pi * steps / 12 + phase) + 0.1 * (torch.rand(args.windows, WINDOW, generator=generator) - 0.5)
    y = torch.sin(2 * math.pi * (WINDOW + torch.arange(HORIZON).float().view(1, -1)) / 12 + phase)

    model = Forecaster()
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
    model.train()
    started = time.perf_counter()
    for _ in range(args.epochs):
        order = torch.randperm(args.windows, generator=generator)
        for start in range(0, args.windows, 32):
            batch = order[start:start + 32]
            optimizer.zero_grad()
            loss = pinball(model(x[batch]), y[batch])
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 5.0)
            optimizer.step()
    train_seconds = time.perf_counter() - started

    model.eval()
    started = time.perf_counter()
    with torch.no_grad():
        total = 0.0
        for start in range(0, args.windows, 256):
            total += pinball(model(x[start:start + 256]), y[start:start + 256]).item() * len(x[start:start + 256])
    forecast_seconds = time.perf_counter() - started
    case = "forecast-lstm32-w24-h12"
    for metric, value in (("train_windows_per_s", args.windows * args.epochs / train_seconds),
                          ("forecast_windows_per_s", args.windows / forecast_seconds),
                          ("final_pinball_loss", total / args.windows)):
        print(json.dumps({"engine": "pytorch", "case": case, "metric": metric, "value": value}))


if __name__ == "__main__":
    main()
