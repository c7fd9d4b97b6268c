#!/usr/bin/env python3
"""The PyTorch peer of the language-model benchmark (benchmarks/compare-lm.sh runs it).

Trains the network of Microsoft.ML.Lstm.Benchmarks' `lm` mode and prints, as JSON lines {"engine": "pytorch",
"case": ..., "metric": ..., "value": ...}: the training wall time, training tokens per second, held-out bits per
token, and generation tokens per second (one token at a time, the LSTM state kept between steps).

Same text and ids (--level char: the file in pieces of --length characters; --level word: each line's lower-cased
words, a trailing TAB and label dropped; the first 90 % trains, cut to --tokens; the last 10 % is held out, unseen
tokens as one unknown id), network (embedding -> one-directional LSTM -> linear -> softmax cross-entropy predicting
token t+1 from step t), Adam 2e-3, batch 32, gradient clipping at norm 5, one pass. Word sentences differ in length:
they are sorted by length within windows of 32 batches, padded and packed, as the C# trainer groups them.

--softmax adaptive puts nn.AdaptiveLogSoftmaxWithLoss (head bias on, div_value 4, as the C# head) in the linear layer and
softmax's place, over the ids ranked by their training counts (ties: the lower id first) and the cutoffs of --cutoffs
or, by default, the C# featurizer's automatic rule (AdaptiveSoftmaxPlan: the fewest most frequent tokens covering 50 %
of the training tokens, then clusters each 4 times the one before). --seconds S trains for S seconds instead of
--epochs (stopping after the batch that crosses S).

Run it at its best (compare-lm.sh does): OPENBLAS_CORETYPE unset, OMP_WAIT_POLICY=PASSIVE and OPENBLAS_NUM_THREADS
the thread count.
"""
import argparse
import json
import math
import random
import time

import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence


def read(path, level, length, budget):
    if level == "char":
        text = open(path, encoding="utf-8").read().replace("\r\n", "\n")
        sequences = [list(text[s:s + length]) for s in range(0, len(text) - length + 1, length)]
    else:
        sequences = []
        for line in open(path, encoding="utf-8"):
            line = line.rstrip("\n")
            if "\t" in line:
                line = line[:line.rindex("\t")]
            words = line.lower().split(" ")
            words = [w for w in words if w]
            if len(words) >= 2:
                sequences.append(words)
    boundary = len(sequences) * 9 // 10
    ids, train, tokens = {}, [], 0
    for sequence in sequences[:boundary]:
        if tokens >= budget:
            break
        train.append([ids.setdefault(t, len(ids)) for t in sequence])
        tokens += len(sequence)
    unknown = len(ids)
    held = [[ids.get(t, unknown) for t in sequence] for sequence in sequences[boundary:]]
    return train, held, unknown + 1


def automatic_cutoffs(counts):
    ranked = sorted(counts, reverse=True)
    total, covered, shortlist = sum(ranked), 0, 0
    while shortlist < len(ranked) and (shortlist == 0 or covered < 0.5 * total):
        covered += ranked[shortlist]
        shortlist += 1
    shortlist = min(max(shortlist, 1), len(ranked) - 1)
    cutoffs, size = [shortlist], shortlist * 4
    while len(cutoffs) < 8 and cutoffs[-1] + size < len(ranked):
        cutoffs.append(cutoffs[-1] + size)
        size *= 4
    return cutoffs


def rank_by_frequency(train, held, vocabulary):
    """The ids renumbered by their training counts, most frequent first (AdaptiveLogSoftmaxWithLoss's convention)."""
    counts = [0] * vocabulary
    for s in train:
        for t in s:
            counts[t] += 1
    order = sorted(range(vocabulary), key=lambda t: (-counts[t], t))
    rank = [0] * vocabulary
    for r, t in enumerate(order):
        rank[t] = r
    return [[rank[t] for t in s] for s in train], [[rank[t] for t in s] for s in held], counts


class LanguageModel(nn.Module):
    def __init__(self, vocabulary, embedding, hidden, cutoffs=None):
        super().__init__()
        self.embedding = nn.Embedding(vocabulary, embedding)
        self.lstm = nn.LSTM(embedding, hidden, batch_first=True)
        self.adaptive = cutoffs is not None
        if self.adaptive:
            self.output = nn.AdaptiveLogSoftmaxWithLoss(hidden, vocabulary, cutoffs, div_value=4.0, head_bias=True)
        else:
            self.output = nn.Linear(hidden, vocabulary)

    def log_probabilities(self, features):
        if self.adaptive:
            return self.output.log_prob(features)
        return torch.log_softmax(self.output(features), dim=-1)

    def loss(self, batch):
        lengths = torch.tensor([len(s) - 1 for s in batch])
        longest = int(lengths.max())
        inputs = torch.zeros(len(batch), longest, dtype=torch.long)
        targets = torch.full((len(batch), longest), -100, dtype=torch.long)
        for i, s in enumerate(batch):
            inputs[i, :len(s) - 1] = torch.tensor(s[:-1])
            targets[i, :len(s) - 1] = torch.tensor(s[1:])
        packed = pack_padded_sequence(self.embedding(inputs), lengths, batch_first=True, enforce_sorted=False)
        out, _ = self.lstm(packed)
        if self.adaptive:
            # Only the real steps, as the packed data holds them; the targets in the same (time-major) order.
            packed_targets = pack_padded_sequence(targets, lengths, batch_first=True, enforce_sorted=False).data
            result = self.output(out.data, packed_targets)
            return result.loss * packed_targets.shape[0], int(lengths.sum())
        out, _ = pad_packed_sequence(out, batch_first=True, total_length=longest)
        logits = self.output(out)
        return nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1), ignore_index=-100, reduction="sum"), int(lengths.sum())


def batches(train, rng):
    order = list(range(len(train)))
    rng.shuffle(order)
    window = 32 * 32
    for start in range(0, len(order), window):
        order[start:start + window] = sorted(order[start:start + window], key=lambda i: len(train[i]))
    chunks = [order[s:s + 32] for s in range(0, len(order), 32)]
    rng.shuffle(chunks)
    return chunks


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--text", default="../shared/data/text/tinyshakespeare.txt")
    p.add_argument("--level", default="char")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--hidden", type=int, default=256)
    p.add_argument("--embedding", type=int, default=64)
    p.add_argument("--length", type=int, default=100)
    p.add_argument("--tokens", type=int, default=300000)
    p.add_argument("--epochs", type=int, default=1)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--softmax", default="full", choices=["full", "adaptive"])
    p.add_argument("--cutoffs", default="")
    p.add_argument("--seconds", type=float, default=0)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    rng = random.Random(a.seed)
    train, held, vocabulary = read(a.text, a.level, a.length, a.tokens)
    cutoffs = None
    if a.softmax == "adaptive":
        train, held, counts = rank_by_frequency(train, held, vocabulary)
        cutoffs = [int(c) for c in a.cutoffs.split(",")] if a.cutoffs else automatic_cutoffs(counts)
    model = LanguageModel(vocabulary, a.embedding, a.hidden, cutoffs)
    optimizer = torch.optim.Adam(model.parameters(), lr=2e-3)

    start = time.perf_counter()
    model.train()
    epochs, batches_run, out_of_time = (10 ** 9 if a.seconds > 0 else a.epochs), 0, False
    for _ in range(epochs):
        for chunk in batches(train, rng):
            total, count = model.loss([train[i] for i in chunk])
            optimizer.zero_grad()
            (total / max(count, 1)).backward()
            nn.utils.clip_grad_norm_(model.parameters(), 5.0)
            optimizer.step()
            batches_run += 1
            if a.seconds > 0 and time.perf_counter() - start >= a.seconds:
                out_of_time = True
                break
        if out_of_time:
            break
    train_seconds = time.perf_counter() - start
    tokens = sum(len(s) for s in train) * a.epochs

    model.eval()
    with torch.no_grad():
        loss, count = 0.0, 0
        for s in range(0, len(held), 256):
            total, n = model.loss(held[s:s + 256])
            loss += float(total)
            count += n
        # Generation: one token at a time, the state kept; sampled from the softmax at temperature 1.
        generator = torch.Generator().manual_seed(a.seed)
        def generate(steps):
            token, state = torch.tensor([[train[0][0]]]), None
            for _ in range(steps):
                out, state = model.lstm(model.embedding(token), state)
                probabilities = torch.exp(model.log_probabilities(out[:, -1]))
                token = torch.multinomial(probabilities, 1, generator=generator)
        generate(50)
        start = time.perf_counter()
        generate(2000)
        generate_seconds = time.perf_counter() - start

    name = f"lm-{a.level}-V{vocabulary}-H{a.hidden}" + (f"-adaptive{'/'.join(map(str, cutoffs))}" if cutoffs else "") + (f"-{a.seconds:g}s" if a.seconds > 0 else "")
    speed = ("train_batches", batches_run) if a.seconds > 0 else ("train_tokens_per_s", tokens / train_seconds)
    for metric, value in [("train_seconds", train_seconds), speed,
                          ("heldout_bits_per_token", loss / count / math.log(2)), ("generate_tokens_per_s", 2000 / generate_seconds)]:
        print(json.dumps({"engine": "pytorch", "case": name, "metric": metric, "value": value}))


if __name__ == "__main__":
    main()
