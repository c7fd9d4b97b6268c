#!/usr/bin/env python3
"""The PyTorch peer of the tagging benchmark (benchmarks/compare-tagging.sh runs it).

Trains the network of Microsoft.ML.Lstm.Benchmarks' `tagging` mode on DATA/wnut17-train.conll and prints, as JSON
lines {"engine": "pytorch", "case": "tagger-softmax" | "tagger-crf", "metric": ..., "value": ...}: the training
wall time, training tokens per second, tagging tokens per second on DATA/wnut17-test.conll and its token accuracy.

Same words (as written; the training split's, one id for unseen words), tags, network (embedding 64 ->
bidirectional LSTM 64 on packed sequences -> dropout 0.3 -> linear per-token scores -> softmax cross-entropy, or
with --crf a linear-chain CRF with start, end and transition scores: the forward algorithm for the loss, Viterbi to
tag), optimizer (Adam 3e-3), batch 32, gradient clipping at norm 5, a fixed number of epochs. The C# trainer groups
sequences of similar length into batches (then shuffles the batches); here too, so padding costs the same.

Run it at its best (compare-tagging.sh does): OPENBLAS_CORETYPE unset, OMP_WAIT_POLICY=PASSIVE and
OPENBLAS_NUM_THREADS the thread count.
"""
import argparse
import json
import os
import sys
import time

import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence


def read_conll(path):
    sentences, tokens, tags = [], [], []
    with open(path, encoding="utf-8") as lines:
        for line in list(lines) + [""]:
            fields = line.split()
            if len(fields) >= 2 and not fields[0].startswith("-DOCSTART-"):
                tokens.append(fields[0])
                tags.append(fields[-1])
            elif not fields and tokens:
                sentences.append((tokens, tags))
                tokens, tags = [], []
    return sentences


class Crf(nn.Module):
    """A linear-chain CRF over [B, T, K] scores with a [B, T] mask (True on real tokens)."""

    def __init__(self, tags):
        super().__init__()
        self.start = nn.Parameter(torch.empty(tags).uniform_(-0.1, 0.1))
        self.end = nn.Parameter(torch.empty(tags).uniform_(-0.1, 0.1))
        self.transitions = nn.Parameter(torch.empty(tags, tags).uniform_(-0.1, 0.1))

    def neg_log_likelihood(self, scores, tags, mask):
        batch = torch.arange(scores.shape[0])
        gold = self.start[tags[:, 0]] + scores[batch, 0, tags[:, 0]]
        alpha = self.start + scores[:, 0]
        for t in range(1, scores.shape[1]):
            on = mask[:, t]
            step = self.transitions[tags[:, t - 1], tags[:, t]] + scores[batch, t, tags[:, t]]
            gold = gold + step * on
            nxt = torch.logsumexp(alpha.unsqueeze(2) + self.transitions + scores[:, t].unsqueeze(1), dim=1)
            alpha = torch.where(on.unsqueeze(1), nxt, alpha)
        last = tags[batch, mask.sum(1) - 1]
        gold = gold + self.end[last]
        return (torch.logsumexp(alpha + self.end, dim=1) - gold).sum()

    def decode(self, scores, mask):
        score = self.start + scores[:, 0]
        history = []
        for t in range(1, scores.shape[1]):
            best, index = (score.unsqueeze(2) + self.transitions).max(dim=1)
            history.append(index)
            score = torch.where(mask[:, t].unsqueeze(1), best + scores[:, t], score)
        score = score + self.end
        paths = []
        for b, length in enumerate(mask.sum(1).tolist()):
            tag = int(score[b].argmax())
            path = [tag]
            for index in reversed(history[:length - 1]):
                tag = int(index[b, tag])
                path.append(tag)
            paths.append(path[::-1])
        return paths


class Tagger(nn.Module):
    def __init__(self, words, tags, crf, embedding=64, hidden=64, dropout=0.3):
        super().__init__()
        self.embedding = nn.Embedding(words, embedding)
        self.lstm = nn.LSTM(embedding, hidden, batch_first=True, bidirectional=True)
        self.dropout = nn.Dropout(dropout)
        self.scores = nn.Linear(2 * hidden, tags)
        self.crf = Crf(tags) if crf else None
        nn.init.normal_(self.embedding.weight, std=embedding ** -0.5)
        with torch.no_grad():
            for name, bias in self.lstm.named_parameters():
                if name.startswith("bias_ih"):
                    bias[hidden:2 * hidden].fill_(1.0)
                elif name.startswith("bias_hh"):
                    bias.zero_()

    def forward(self, tokens, lengths):
        packed = pack_padded_sequence(self.embedding(tokens), lengths, batch_first=True, enforce_sorted=False)
        h, _ = pad_packed_sequence(self.lstm(packed)[0], batch_first=True)
        return self.scores(self.dropout(h))  # [B, T, K]


def batches(sentences, order, batch_size):
    for start in range(0, len(order), batch_size):
        chosen = [sentences[i] for i in order[start:start + batch_size]]
        lengths = torch.tensor([len(x) for x, _ in chosen])
        tokens = torch.zeros(len(chosen), int(lengths.max()), dtype=torch.long)
        tags = torch.zeros_like(tokens)
        for row, (x, y) in enumerate(chosen):
            tokens[row, :len(x)] = torch.tensor(x)
            tags[row, :len(y)] = torch.tensor(y)
        mask = torch.arange(tokens.shape[1]).unsqueeze(0) < lengths.unsqueeze(1)
        yield tokens, lengths, tags, mask


def bucketed(sentences, batch_size, generator):
    """A shuffle, sorted by length within windows of 32 batches, then the batches shuffled: as the C# trainer does."""
    order = torch.randperm(len(sentences), generator=generator).tolist()
    window = 32 * batch_size
    order = [i for s in range(0, len(order), window) for i in sorted(order[s:s + window], key=lambda i: len(sentences[i][0]))]
    chunks = [order[s:s + batch_size] for s in range(0, len(order), batch_size)]
    return [chunks[i] for i in torch.randperm(len(chunks), generator=generator).tolist()]


def emit(case, metric, value):
    print(json.dumps({"engine": "pytorch", "case": case, "metric": metric, "value": value}), flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", default="../shared/data/ner")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--crf", action="store_true")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    generator = torch.Generator().manual_seed(args.seed)

    train = read_conll(os.path.join(args.data, "wnut17-train.conll"))
    test = read_conll(os.path.join(args.data, "wnut17-test.conll"))
    words, tags = {}, {}
    for tokens, labels in train:
        for w in tokens:
            words.setdefault(w, len(words))
        for t in labels:
            tags.setdefault(t, len(tags))
    unknown = len(words)
    encode = lambda data: [([words.get(w, unknown) for w in x], [tags.get(t, tags["O"]) for t in y]) for x, y in data]
    train_x, test_x = encode(train), encode(test)

    case = "tagger-crf" if args.crf else "tagger-softmax"
    started = time.perf_counter()
    model = Tagger(unknown + 1, len(tags), args.crf)
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
    model.train()
    for _ in range(args.epochs):
        for chunk in bucketed(train_x, 32, generator):
            for tokens, lengths, gold, mask in batches(train_x, chunk, len(chunk)):
                optimizer.zero_grad()
                scores = model(tokens, lengths)
                if model.crf is None:
                    loss = nn.functional.cross_entropy(scores[mask], gold[mask])
                else:
                    loss = model.crf.neg_log_likelihood(scores, gold, mask) / mask.sum()
                loss.backward()
                nn.utils.clip_grad_norm_(model.parameters(), 5.0)
                optimizer.step()
    train_seconds = time.perf_counter() - started
    train_tokens = sum(len(x) for x, _ in train_x) * args.epochs

    model.eval()
    correct = total = 0
    started = time.perf_counter()
    with torch.no_grad():
        for tokens, lengths, gold, mask in batches(test_x, list(range(len(test_x))), 256):
            scores = model(tokens, lengths)
            if model.crf is None:
                correct += int((scores.argmax(-1)[mask] == gold[mask]).sum())
            else:
                for b, path in enumerate(model.crf.decode(scores, mask)):
                    correct += sum(int(p == int(g)) for p, g in zip(path, gold[b]))
            total += int(mask.sum())
    tag_seconds = time.perf_counter() - started
    print(f"# torch {torch.__version__} {case}: {len(train_x)} train, {len(test_x)} test sentences, "
          f"{unknown + 1} words, {len(tags)} tags, threads {torch.get_num_threads()}, seed {args.seed}", file=sys.stderr)
    emit(case, "train_seconds", train_seconds)
    emit(case, "train_tokens_per_s", train_tokens / train_seconds)
    emit(case, "tag_tokens_per_s", total / tag_seconds)
    emit(case, "test_token_accuracy", correct / total)


if __name__ == "__main__":
    main()
