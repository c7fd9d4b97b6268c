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


class LanguageModel(nn.Module):
    def __init__(self, vocabulary, embedding, hidden):
        super().__init__()
        self.embedding = nn.Embedding(vocabulary, embedding)
        self.lstm = nn.LSTM(embedding, hidden, batch_first=True)
        self.output = nn.Linear(hidden, vocabulary)

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
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    rng = random.Random(a.seed)
    train, held, vocabulary = read(a.text, a.level, a.length, a.tokens)
    model = LanguageModel(vocabulary, a.embedding, a.hidden)
    optimizer = torch.optim.Adam(model.parameters(), lr=2e-3)

    start = time.perf_counter()
    model.train()
    for _ in range(a.epochs):
        for chunk in batches(train, rng):
            total, count = model.loss([train[i] for i in chunk])
            optimizer.zero_grad()
            (total / max(count, 1)).backward()
            nn.utils.clip_grad_norm_(model.parameters(), 5.0)
            optimizer.step()
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
                probabilities = torch.softmax(model.output(out[:, -1]), dim=-1)
                token = torch.multinomial(probabilities, 1, generator=generator)
        generate(50)
        start = time.perf_counter()
        generate(2000)
        generate_seconds = time.perf_counter() - start

    name = f"lm-{a.level}-V{vocabulary}-H{a.hidden}"
    for metric, value in [("train_seconds", train_seconds), ("train_tokens_per_s", tokens / train_seconds),
                          ("heldout_bits_per_token", loss / count / math.log(2)), ("generate_tokens_per_s", 2000 / generate_seconds)]:
        print(json.dumps({"engine": "pytorch", "case": name, "metric": metric, "value": value}))


if __name__ == "__main__":
    main()
