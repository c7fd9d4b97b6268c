#!/usr/bin/env python3
"""The PyTorch peer of the end-to-end benchmark (benchmarks/compare-e2e.sh runs it) and of the scoring one
(benchmarks/compare-scoring.sh: --pooling max --score-seconds S).

Trains the network of Microsoft.ML.Lstm.Benchmarks' `e2e` mode on DATA/train.tsv (header Text<TAB>Label)
and prints the wall time of training and the accuracy on DATA/test.tsv as JSON lines:
{"engine": "pytorch", "case": "sentiment", "metric": "train_seconds" | "test_accuracy", "value": ...}.
With --score-seconds S it then scores the test sentences from their text for S seconds, as the `scoring` mode does
in C#: in batches of 64 consecutive sentences, padded and packed (dataset_us_per_row), and one sentence at a time
(one_row_us_per_row); and the network alone on those batches built beforehand (model_us_per_row); medians of passes
of the wall time per sentence, under torch.no_grad, the first pass not kept;
case "sentiment-scoring". --pooling max pools by the maximum over each sequence's own steps (the trainer's default
in C#) instead of the attention of the `e2e` network.

Same tokens (lower-cased [a-z0-9']+), vocabulary (training split, first appearance; one id for unknown
words), network (embedding 64 -> bidirectional LSTM 64 on packed sequences -> additive attention
e_t = v . tanh(W h_t + b), softmax over each sequence's own steps -> dropout 0.3 -> one logit), loss
(BCE with logits), optimizer (Adam 3e-3), batch 32, gradient clipping at norm 5 and a fixed 5 epochs.
One difference: the C# trainer groups sequences of similar length into batches (then shuffles the
batches); here batches are a plain shuffle, padded and packed by pack_padded_sequence.
Initialisation follows the C# engine where it is simple to: embedding N(0, 1/64), forget-gate bias 1.

Run it at its best (compare-e2e.sh does): OPENBLAS_CORETYPE unset and OMP_WAIT_POLICY=PASSIVE.
"""
import argparse
import json
import os
import re
import sys
import time

import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

WORD = re.compile(r"[a-z0-9']+")


def read_tsv(path):
    texts, labels = [], []
    with open(path, encoding="utf-8") as lines:
        next(lines)  # header
        for line in lines:
            text, sep, label = line.rstrip("\n").rpartition("\t")
            if sep:
                texts.append(text)
                labels.append(float(label))
    return texts, labels


def tokenize(text):
    return WORD.findall(text.lower())


class SentimentNetwork(nn.Module):
    def __init__(self, vocabulary_size, embedding=64, hidden=64, dropout=0.3, pooling="attention"):
        super().__init__()
        self.embedding = nn.Embedding(vocabulary_size, embedding)
        self.lstm = nn.LSTM(embedding, hidden, batch_first=True, bidirectional=True)
        features = 2 * hidden
        self.attention = nn.Linear(features, features)  # W, b; attention size = features, as in C#
        self.score = nn.Linear(features, 1, bias=False)  # v
        self.dropout = nn.Dropout(dropout)
        self.head = nn.Linear(features, 1)
        self.pooling = pooling
        nn.init.normal_(self.embedding.weight, std=embedding ** -0.5)
        with torch.no_grad():
            for name, bias in self.lstm.named_parameters():
                if name.startswith("bias_ih"):  # gates i, f, g, o: the forget gate starts open
                    bias[hidden:2 * hidden].fill_(1.0)
                elif name.startswith("bias_hh"):
                    bias.zero_()

    def forward(self, tokens, lengths):
        packed = pack_padded_sequence(self.embedding(tokens), lengths, batch_first=True, enforce_sorted=False)
        h, _ = pad_packed_sequence(self.lstm(packed)[0], batch_first=True)  # [B, T, 2H]
        steps = torch.arange(h.shape[1]).unsqueeze(0)
        if self.pooling == "max":  # over each sequence's own steps
            pooled = h.masked_fill((steps >= lengths.unsqueeze(1)).unsqueeze(-1), float("-inf")).max(dim=1).values
            return self.head(self.dropout(pooled)).squeeze(-1)
        e = self.score(torch.tanh(self.attention(h))).squeeze(-1)  # [B, T]
        e = e.masked_fill(steps >= lengths.unsqueeze(1), float("-inf"))  # padding gets no weight
        alpha = torch.softmax(e, dim=1)
        pooled = (alpha.unsqueeze(-1) * h).sum(dim=1)
        return self.head(self.dropout(pooled)).squeeze(-1)


def batches(sequences, labels, order, batch_size):
    for start in range(0, len(order), batch_size):
        chosen = order[start:start + batch_size]
        lengths = torch.tensor([len(sequences[i]) for i in chosen])
        tokens = torch.zeros(len(chosen), int(lengths.max()), dtype=torch.long)
        for row, i in enumerate(chosen):
            tokens[row, :len(sequences[i])] = torch.tensor(sequences[i])
        yield tokens, lengths, labels[chosen]


def emit(metric, value):
    emit_case("sentiment", metric, value)


def emit_case(case, metric, value):
    print(json.dumps({"engine": "pytorch", "case": case, "metric": metric, "value": value}), flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", default="../shared/data/sentiment")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--pooling", choices=["attention", "max"], default="attention")
    parser.add_argument("--score-seconds", type=float, default=0)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)

    train_texts, train_labels = read_tsv(os.path.join(args.data, "train.tsv"))
    test_texts, test_labels = read_tsv(os.path.join(args.data, "test.tsv"))
    vocabulary = {}
    for text in train_texts:
        for word in tokenize(text):
            vocabulary.setdefault(word, len(vocabulary))
    unknown = len(vocabulary)

    def encode(texts):  # an empty text gets one unknown step, as in C#
        return [[vocabulary.get(w, unknown) for w in tokenize(t)] or [unknown] for t in texts]

    train_x, test_x = encode(train_texts), encode(test_texts)
    train_y, test_y = torch.tensor(train_labels), torch.tensor(test_labels)

    started = time.perf_counter()
    model = SentimentNetwork(unknown + 1, pooling=args.pooling)
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
    loss_fn = nn.BCEWithLogitsLoss()
    model.train()
    for _ in range(args.epochs):
        for tokens, lengths, targets in batches(train_x, train_y, torch.randperm(len(train_x)).tolist(), 32):
            optimizer.zero_grad()
            loss = loss_fn(model(tokens, lengths), targets)
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 5.0)
            optimizer.step()
    train_seconds = time.perf_counter() - started

    model.eval()
    correct = 0
    with torch.no_grad():
        for tokens, lengths, targets in batches(test_x, test_y, list(range(len(test_x))), 256):
            correct += int(((model(tokens, lengths) > 0) == (targets > 0.5)).sum())
    print(f"# torch {torch.__version__} sentiment: {len(train_x)} train, {len(test_x)} test, "
          f"vocabulary {unknown + 1}, threads {torch.get_num_threads()}, seed {args.seed}", file=sys.stderr)
    emit("train_seconds", train_seconds)
    emit("test_accuracy", correct / len(test_x))
    if args.score_seconds > 0:
        no_labels = torch.zeros(len(test_texts))

        def dataset_pass():  # from the text: words to ids, batches of 64 consecutive sentences
            sequences = encode(test_texts)
            for tokens, lengths, _ in batches(sequences, no_labels, list(range(len(sequences))), 64):
                model(tokens, lengths)

        def one_row_pass():
            for text in test_texts:
                sequence = encode([text])[0]
                model(torch.tensor([sequence]), torch.tensor([len(sequence)]))

        prepared = list(batches(encode(test_texts), no_labels, list(range(len(test_texts))), 64))

        def model_pass():
            for tokens, lengths, _ in prepared:
                model(tokens, lengths)

        with torch.no_grad():
            for metric, scoring in (("dataset_us_per_row", dataset_pass), ("one_row_us_per_row", one_row_pass),
                                    ("model_us_per_row", model_pass)):
                emit_case("sentiment-scoring", metric, median_per_row(scoring, len(test_texts), args.score_seconds))


def median_per_row(scoring, rows, seconds):
    """The median wall time per row, in microseconds, of passes over `seconds`, the first pass not kept."""
    scoring()
    times, started = [], time.perf_counter()
    while len(times) < 3 or time.perf_counter() - started < seconds:
        start = time.perf_counter()
        scoring()
        times.append((time.perf_counter() - start) / rows * 1e6)
    return sorted(times)[len(times) // 2]


if __name__ == "__main__":
    main()
