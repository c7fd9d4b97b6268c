#!/usr/bin/python3
"""PyTorch reference values for the LSTM/GRU parity tests.

What it writes
--------------
Small text fixtures in Microsoft.ML.Lstm.Tests/Fixtures/, one per case:

  lstm.txt                 nn.LSTM(5, 4), 1 layer, 3 sequences of equal length 6
  gru.txt                  nn.GRU(5, 4), same batch shape
  bilstm2.txt              nn.LSTM(5, 4, num_layers=2, bidirectional=True), equal lengths
  packed_lstm.txt          nn.LSTM(5, 4) on a packed batch of lengths [4, 6, 1, 3]
  packed_bigru.txt         nn.GRU(5, 4, num_layers=2, bidirectional=True) on the same packed batch
  lstm_initial_state.txt   nn.LSTM(5, 4) with given h0, c0 (gradients of h0, c0 included)

The recurrent state cases (issue #8): the packed batch of lengths [4, 6, 1, 3], non-zero h0 (and c0)
for every layer and direction, and a loss that also reads the final states, so gradients enter
through h_n/c_n as well as through the output and leave through h0/c0 as well as through the input:

  state_lstm.txt           nn.LSTM(5, 4)
  state_gru.txt            nn.GRU(5, 4)
  state_bilstm2.txt        nn.LSTM(5, 4, num_layers=2, bidirectional=True)
  state_bigru2.txt         nn.GRU(5, 4, num_layers=2, bidirectional=True)

Every case starts from the same seed and draws weights, input, R, then h0, c0, then Rh, Rc, so
state_lstm.txt has the weights, input and R of packed_lstm.txt, and state_bigru2.txt those of
packed_bigru.txt: with h0 = 0 and Rh = Rc = 0 they would be those cases.

The outputs are committed; the tests read them and need neither Python nor torch. Regenerate
only when a case is added or changed:

    tools/install-torch.sh            # once, on Debian: python3-torch, numpy, openblas
    /usr/bin/python3 tools/make_fixtures.py                              # every case
    /usr/bin/python3 tools/make_fixtures.py state_lstm.txt state_gru.txt # only the files named

Use Debian's /usr/bin/python3 (a pyenv `python3` on PATH usually has no torch). The seed is
fixed and everything is computed in torch.float64, so a rerun with the same torch reproduces
the files up to the last bits of the BLAS in use. Each case reseeds, so adding one leaves the others'
values unchanged; if a different torch or BLAS changes the last bits (or the version in the header)
of files nobody meant to change, name only the new or changed cases on the command line, so the
committed files of the others stay byte-identical (`git diff --stat Microsoft.ML.Lstm.Tests/Fixtures`
should list only what you meant to write). With torch 1.13.0a0 (Debian bookworm) every file
regenerates byte-identically.

File format
-----------
Plain text, parseable without libraries (Microsoft.ML.Lstm.Tests/TorchFixture.cs reads it):

    # comment lines start with '#'
    name d0 d1 ...          <- tensor name and shape (no dims for a scalar)
    v0 v1 v2 ...            <- all values on one line, row-major, '%.17g' (round-trips a double)

Integers (lengths, sizes) are written as doubles with no fraction ("6").

Tensors in every file
---------------------
  input_size, hidden_size, num_layers, num_directions   scalars describing the module
  lengths [B]            length of each sequence, in the order of the batch (not sorted)
  input [B, T, I]        batch-first, padded with zeros after each sequence's length
  R [B, T, D*H]          loss weights; zero at padded steps
  loss                   L = sum over valid steps of output ⊙ R (state_*.txt: plus the state terms below)
  output [B, T, D*H]     the top layer's h_t for every step; zero at padded steps.
                         Bidirectional: [..., :H] forward direction, [..., H:] reverse direction
                         (the reverse direction at step t has read steps t..length−1).
  h_n [L*D, B, H]        final hidden state of each layer and direction, index layer*D + direction;
                         for the reverse direction it is its state after reading step 0.
                         For packed batches: the state at each sequence's own last valid step.
  c_n [L*D, B, H]        (LSTM only) final cell state, same indexing
  grad_input [B, T, I]   ∂L/∂input; zero at padded steps
  for every parameter P (PyTorch names, see below): P and grad_P = ∂L/∂P
  h0, c0, grad_h0, grad_c0 [L*D, B, H]   (lstm_initial_state.txt and state_*.txt; elsewhere the initial
                         state is zero). Index layer*D + direction and the caller's batch order, like h_n;
                         c0, grad_c0 for LSTMs only. h0[k] starts direction k of its layer: for the
                         reverse direction, the state before it reads each sequence's last valid step.

Tensors only in state_*.txt
---------------------------
  Rh [L*D, B, H]         weights of the final hidden states in the loss
  Rc [L*D, B, H]         (LSTM only) weights of the final cell states
  with
      loss = sum(output ⊙ R) + sum(h_n ⊙ Rh) + sum(c_n ⊙ Rc)
  so ∂L/∂h_n = Rh and ∂L/∂c_n = Rc are the gradients entering through the final states, of every layer
  and direction (lower layers' h_n included: their gradient adds to what flows down from the layer
  above). For the top layer h_n is also an output (forward: step length−1; reverse: step 0), so there
  Rh adds to R at that step; for a lower layer h_n is that layer's output before any dropout.
  In every other file the loss depends only on `output`: no gradient flows in through h_n or c_n.

Parameter mapping (PyTorch names; k = layer, suffix _reverse for the reverse direction)
---------------------------------------------------------------------------------------
  weight_ih_lk[_reverse]  [G*H, in_k]   in_0 = I, in_k = D*H for k > 0 (forward outputs first,
                                        then reverse outputs, as in `output`)
  weight_hh_lk[_reverse]  [G*H, H]
  bias_ih_lk[_reverse]    [G*H]
  bias_hh_lk[_reverse]    [G*H]
Rows are in blocks of H, one block per gate:
  LSTM, G = 4, order i, f, g, o:
      a = W_ih x_t + b_ih + W_hh h_{t−1} + b_hh           (rows [i | f | g | o])
      i = σ(a_i)  f = σ(a_f)  g = tanh(a_g)  o = σ(a_o)
      c_t = f ⊙ c_{t−1} + i ⊙ g        h_t = o ⊙ tanh(c_t)
    An engine with one bias uses b = bias_ih + bias_hh, and its gradient equals grad_bias_ih
    (which equals grad_bias_hh for the LSTM).
  GRU, G = 3, order r, z, n; the reset gate multiplies the recurrent product *including* b_hn:
      r = σ(W_ir x + b_ir + W_hr h + b_hr)
      z = σ(W_iz x + b_iz + W_hz h + b_hz)
      n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn))
      h_t = (1 − z) ⊙ n + z ⊙ h_{t−1}
    So the GRU needs both biases: b_ir + b_hr and b_iz + b_hz may be merged, b_in and b_hn may not,
    and grad_bias_ih_n ≠ grad_bias_hh_n.

Using the fixtures from C#
--------------------------
  var f = TorchFixture.Load("packed_lstm.txt");   // Microsoft.ML.Lstm.Tests/TorchFixture.cs
  Packed rows from the padded input: layout = PackedLayout.FromLengths(f.Ints("lengths")); packed row
  layout.Row(t, s) = input[layout.SortedToOriginal[s], t, :] for t < layout.Lengths[s]; outputs and
  grad_input map back the same way. h_n/c_n and h0/c0 are in the caller's (unsorted) batch order.
  Compare in double with a tolerance around 1e-10 (the values are float64, not bit-exact across BLAS).
  Microsoft.ML.Lstm.Tests/Networks/TorchParityTests.cs checks the stack on the first five files,
  Networks/LayerTests.cs one layer on lstm_initial_state.txt, and Networks/RecurrentStateTorchParityTests.cs
  the stack's state API (RecurrentState: initial states in, final states out, and their gradients) on
  state_*.txt.

Sanity checks (asserted before anything is written)
---------------------------------------------------
  * A plain numpy re-implementation of the equations above (per sequence, per layer, per
    direction, the reverse direction starting at each sequence's own last element) reproduces
    torch's output, h_n and c_n to 1e-12.
  * The numpy loss, with the h_n ⊙ Rh and c_n ⊙ Rc terms where present, reproduces torch's loss.
  * The top layer's h_n equals the output at each sequence's last valid step (forward) and at step
    0 (reverse), bit for bit.
  * Central finite differences of the numpy loss (state terms included) agree with torch's gradients
    for a sample of parameter and input entries and of h0/c0 entries in every layer and direction,
    which checks the gradient that enters through h_n/c_n and leaves through h0/c0.
  * For state_*.txt, grad_h0 differs from the finite difference of the output-only loss in every
    layer and direction: the state terms really reach the initial states.
"""

import os
import sys

import numpy as np
import torch
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

SEED = 20240531
INPUT_SIZE = 5
HIDDEN_SIZE = 4
EQUAL_LENGTHS = [6, 6, 6]
PACKED_LENGTHS = [4, 6, 1, 3]  # unsorted on purpose: the engine sorts, the fixture keeps the caller's order

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Microsoft.ML.Lstm.Tests", "Fixtures")


# ---------------------------------------------------------------------------------------------
# numpy reference: the equations written out, one sequence at a time
# ---------------------------------------------------------------------------------------------

def sigmoid(a):
    return 1.0 / (1.0 + np.exp(-a))


def lstm_direction(xs, w_ih, w_hh, b_ih, b_hh, h, c):
    """xs [T, in]; returns outputs [T, H], h_T, c_T. Gate rows i, f, g, o."""
    hidden = w_hh.shape[1]
    outputs = []
    for x in xs:
        a = w_ih @ x + b_ih + w_hh @ h + b_hh
        i = sigmoid(a[0:hidden])
        f = sigmoid(a[hidden:2 * hidden])
        g = np.tanh(a[2 * hidden:3 * hidden])
        o = sigmoid(a[3 * hidden:4 * hidden])
        c = f * c + i * g
        h = o * np.tanh(c)
        outputs.append(h)
    return np.array(outputs), h, c


def gru_direction(xs, w_ih, w_hh, b_ih, b_hh, h, c):
    """xs [T, in]; returns outputs [T, H], h_T, None. Gate rows r, z, n; reset after the recurrent product."""
    hidden = w_hh.shape[1]
    outputs = []
    for x in xs:
        xg = w_ih @ x + b_ih
        hg = w_hh @ h + b_hh
        r = sigmoid(xg[0:hidden] + hg[0:hidden])
        z = sigmoid(xg[hidden:2 * hidden] + hg[hidden:2 * hidden])
        n = np.tanh(xg[2 * hidden:] + r * hg[2 * hidden:])
        h = (1.0 - z) * n + z * h
        outputs.append(h)
    return np.array(outputs), h, None


def reference_forward(mode, params, x, lengths, num_layers, directions, h0=None, c0=None):
    """x [B, T, I] padded. Returns output [B, T, D*H] (zero padded), h_n, c_n [L*D, B, H]."""
    cell = lstm_direction if mode == "lstm" else gru_direction
    batch, steps, _ = x.shape
    hidden = HIDDEN_SIZE
    output = np.zeros((batch, steps, directions * hidden))
    h_n = np.zeros((num_layers * directions, batch, hidden))
    c_n = np.zeros((num_layers * directions, batch, hidden))
    for b in range(batch):
        seq = x[b, :lengths[b]]
        for layer in range(num_layers):
            outs = []
            for d in range(directions):
                suffix = f"_l{layer}" + ("_reverse" if d == 1 else "")
                k = layer * directions + d
                h = np.zeros(hidden) if h0 is None else h0[k, b]
                c = np.zeros(hidden) if c0 is None else c0[k, b]
                xs = seq if d == 0 else seq[::-1]
                out, h, c = cell(xs, params["weight_ih" + suffix], params["weight_hh" + suffix],
                                 params["bias_ih" + suffix], params["bias_hh" + suffix], h, c)
                outs.append(out if d == 0 else out[::-1])
                h_n[k, b] = h
                if c is not None:
                    c_n[k, b] = c
            seq = np.concatenate(outs, axis=1)
        output[b, :lengths[b]] = seq
    return output, h_n, (c_n if mode == "lstm" else None)


# ---------------------------------------------------------------------------------------------
# torch: the oracle
# ---------------------------------------------------------------------------------------------

def make_case(mode, lengths, num_layers=1, bidirectional=False, initial_state=False, state_loss=False):
    """Builds the module and data from the global generator and runs forward and backward in torch.

    state_loss: the loss also reads the final states, + sum(h_n ⊙ Rh) (+ sum(c_n ⊙ Rc) for an LSTM),
    with Rh, Rc drawn after everything else, so a case's other tensors are those it would have without it."""
    module_type = torch.nn.LSTM if mode == "lstm" else torch.nn.GRU
    module = module_type(INPUT_SIZE, HIDDEN_SIZE, num_layers=num_layers, bidirectional=bidirectional,
                         batch_first=True).double()
    directions = 2 if bidirectional else 1
    batch, steps = len(lengths), max(lengths)
    mask = torch.zeros(batch, steps, 1, dtype=torch.float64)
    for b, length in enumerate(lengths):
        mask[b, :length] = 1.0

    x = (torch.randn(batch, steps, INPUT_SIZE, dtype=torch.float64) * mask).requires_grad_()
    r = torch.randn(batch, steps, directions * HIDDEN_SIZE, dtype=torch.float64) * mask

    state = None
    h0 = c0 = None
    if initial_state:
        shape = (num_layers * directions, batch, HIDDEN_SIZE)
        h0 = (0.5 * torch.randn(*shape, dtype=torch.float64)).requires_grad_()
        c0 = (0.5 * torch.randn(*shape, dtype=torch.float64)).requires_grad_()
        state = (h0, c0) if mode == "lstm" else h0

    packed = pack_padded_sequence(x, torch.tensor(lengths), batch_first=True, enforce_sorted=False)
    packed_out, final = module(packed, state)
    output, out_lengths = pad_packed_sequence(packed_out, batch_first=True, total_length=steps)
    assert out_lengths.tolist() == list(lengths)
    h_n, c_n = final if mode == "lstm" else (final, None)

    loss = (output * r).sum()
    rh = rc = None
    if state_loss:
        rh = torch.randn(*h_n.shape, dtype=torch.float64)
        loss = loss + (h_n * rh).sum()
        if mode == "lstm":
            rc = torch.randn(*c_n.shape, dtype=torch.float64)
            loss = loss + (c_n * rc).sum()
    loss.backward()

    tensors = {
        "input_size": torch.tensor(float(INPUT_SIZE)),
        "hidden_size": torch.tensor(float(HIDDEN_SIZE)),
        "num_layers": torch.tensor(float(num_layers)),
        "num_directions": torch.tensor(float(directions)),
        "lengths": torch.tensor([float(n) for n in lengths]),
        "input": x.detach(),
        "R": r,
    }
    if rh is not None:
        tensors["Rh"] = rh
    if rc is not None:
        tensors["Rc"] = rc
    tensors.update({
        "loss": loss.detach(),
        "output": output.detach(),
        "h_n": h_n.detach(),
    })
    if c_n is not None:
        tensors["c_n"] = c_n.detach()
    if initial_state:
        tensors["h0"] = h0.detach()
        if mode == "lstm":
            tensors["c0"] = c0.detach()
    tensors["grad_input"] = x.grad
    if initial_state:
        tensors["grad_h0"] = h0.grad
        if mode == "lstm":
            tensors["grad_c0"] = c0.grad
    for name, p in module.named_parameters():
        tensors[name] = p.detach()
    for name, p in module.named_parameters():
        tensors["grad_" + name] = p.grad
    return {k: v.detach().numpy().astype(np.float64) for k, v in tensors.items()}


# ---------------------------------------------------------------------------------------------
# checks
# ---------------------------------------------------------------------------------------------

def check_against_reference(mode, t):
    lengths = [int(n) for n in t["lengths"]]
    num_layers, directions = int(t["num_layers"]), int(t["num_directions"])
    params = {k: v for k, v in t.items() if k.startswith(("weight_", "bias_"))}
    h0, c0 = t.get("h0"), t.get("c0")
    rh, rc = t.get("Rh"), t.get("Rc")
    assert (rc is not None) == (rh is not None and mode == "lstm")

    def loss_of(params_, x_, h0_, c0_):
        out, h_n_, c_n_ = reference_forward(mode, params_, x_, lengths, num_layers, directions, h0_, c0_)
        loss = float((out * t["R"]).sum())
        if rh is not None:
            loss += float((h_n_ * rh).sum())
        if rc is not None:
            loss += float((c_n_ * rc).sum())
        return loss

    output, h_n, c_n = reference_forward(mode, params, t["input"], lengths, num_layers, directions, h0, c0)
    np.testing.assert_allclose(output, t["output"], rtol=0, atol=1e-12)
    np.testing.assert_allclose(h_n, t["h_n"], rtol=0, atol=1e-12)
    if mode == "lstm":
        np.testing.assert_allclose(c_n, t["c_n"], rtol=0, atol=1e-12)
    np.testing.assert_allclose(loss_of(params, t["input"], h0, c0), t["loss"], rtol=0, atol=1e-12)

    # The top layer's h_n is its output at each sequence's last valid step (forward direction) and at
    # step 0 (reverse direction): a gradient entering through h_n lands where the output's does.
    hidden = HIDDEN_SIZE
    top = (num_layers - 1) * directions
    for b, length in enumerate(lengths):
        np.testing.assert_array_equal(t["h_n"][top, b], t["output"][b, length - 1, :hidden])
        if directions == 2:
            np.testing.assert_array_equal(t["h_n"][top + 1, b], t["output"][b, 0, hidden:])

    # Central differences on a few entries of every gradient tensor; for the initial states a few
    # entries of every layer and direction (index k = layer * D + direction), so that a gradient
    # entering through h_n/c_n and leaving through h0/c0 is checked for each of them.
    rng = np.random.default_rng(SEED)
    eps = 1e-6
    targets = [(k, "param", None) for k in params] + [("input", "input", None)]
    for k in ("h0", "c0"):
        if k in t:
            targets += [(k, k, state) for state in range(num_layers * directions)]
    for name, kind, state in targets:
        grad = t["grad_" + name]
        if name == "input":
            flat_candidates = np.flatnonzero(np.abs(grad) > 0)
        elif state is not None:
            per_state = grad[0].size
            flat_candidates = np.arange(state * per_state, (state + 1) * per_state)
        else:
            flat_candidates = np.arange(grad.size)
        for flat in rng.choice(flat_candidates, size=min(4, flat_candidates.size), replace=False):
            def perturbed(delta):
                p = {k: v.copy() for k, v in params.items()}
                x, h, c = t["input"].copy(), None if h0 is None else h0.copy(), None if c0 is None else c0.copy()
                target = {"param": p.get(name), "input": x, "h0": h, "c0": c}[kind]
                target.reshape(-1)[flat] += delta
                return loss_of(p, x, h, c)
            numeric = (perturbed(eps) - perturbed(-eps)) / (2 * eps)
            analytic = grad.reshape(-1)[flat]
            assert abs(numeric - analytic) <= 1e-7 * max(1.0, abs(analytic)), (mode, name, flat, numeric, analytic)

    if rh is not None:
        # The state terms matter: without them every gradient below would differ. Check it on
        # the initial states, whose gradient through the final states is largest.
        def output_only(h0_, c0_):
            out, _, _ = reference_forward(mode, params, t["input"], lengths, num_layers, directions, h0_, c0_)
            return float((out * t["R"]).sum())
        for k in range(num_layers * directions):
            flat = k * t["h0"][0].size
            h_plus, h_minus = h0.copy(), h0.copy()
            h_plus.reshape(-1)[flat] += eps
            h_minus.reshape(-1)[flat] -= eps
            numeric = (output_only(h_plus, c0) - output_only(h_minus, c0)) / (2 * eps)
            assert abs(numeric - t["grad_h0"].reshape(-1)[flat]) > 1e-6, (mode, "state terms add nothing", k)

    # Padded steps carry nothing.
    for b, length in enumerate(lengths):
        assert not t["output"][b, length:].any() and not t["grad_input"][b, length:].any()


# ---------------------------------------------------------------------------------------------
# writing
# ---------------------------------------------------------------------------------------------

def write_fixture(file_name, description, t):
    path = os.path.join(FIXTURES, file_name)
    if "Rc" in t:
        loss_line = ("# loss = sum(output * R) over valid steps + sum(h_n * Rh) + sum(c_n * Rc); grad_X = dloss/dX;"
                     " gate rows: LSTM i,f,g,o; GRU r,z,n")
    elif "Rh" in t:
        loss_line = ("# loss = sum(output * R) over valid steps + sum(h_n * Rh); grad_X = dloss/dX;"
                     " gate rows: LSTM i,f,g,o; GRU r,z,n")
    else:
        loss_line = "# loss = sum(output * R) over valid steps; grad_X = dloss/dX; gate rows: LSTM i,f,g,o; GRU r,z,n"
    lines = [
        f"# generated by tools/make_fixtures.py (torch {torch.__version__}, float64, seed {SEED}); do not edit",
        f"# {description}",
        "# layout: batch_first; input [B, T, I] zero-padded past lengths[b]; output/R [B, T, D*H]; h_n/c_n [L*D, B, H]",
        loss_line,
        "# format: 'name d0 d1 ...' then one line of row-major values ('%.17g')",
    ]
    for name, value in t.items():
        value = np.asarray(value, dtype=np.float64)
        lines.append(" ".join([name] + [str(d) for d in value.shape]))
        lines.append(" ".join("%.17g" % v for v in value.reshape(-1)))
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write("\n".join(lines) + "\n")
    print(f"wrote {os.path.relpath(path)} ({os.path.getsize(path)} bytes)")


CASES = [
    ("lstm.txt", "nn.LSTM(5, 4), 1 layer, 3 sequences of length 6",
     dict(mode="lstm", lengths=EQUAL_LENGTHS)),
    ("gru.txt", "nn.GRU(5, 4), 1 layer, 3 sequences of length 6",
     dict(mode="gru", lengths=EQUAL_LENGTHS)),
    ("bilstm2.txt", "nn.LSTM(5, 4, num_layers=2, bidirectional=True), 3 sequences of length 6",
     dict(mode="lstm", lengths=EQUAL_LENGTHS, num_layers=2, bidirectional=True)),
    ("packed_lstm.txt", "nn.LSTM(5, 4), 1 layer, packed batch of lengths [4, 6, 1, 3] (enforce_sorted=False)",
     dict(mode="lstm", lengths=PACKED_LENGTHS)),
    ("packed_bigru.txt", "nn.GRU(5, 4, num_layers=2, bidirectional=True), packed batch of lengths [4, 6, 1, 3]",
     dict(mode="gru", lengths=PACKED_LENGTHS, num_layers=2, bidirectional=True)),
    ("lstm_initial_state.txt", "nn.LSTM(5, 4), 1 layer, 3 sequences of length 6, given h0 and c0",
     dict(mode="lstm", lengths=EQUAL_LENGTHS, initial_state=True)),
    # The recurrent state API: h0/c0 in for every layer and direction, the loss reading h_n/c_n too.
    ("state_lstm.txt", "nn.LSTM(5, 4), packed batch of lengths [4, 6, 1, 3], given h0 and c0, loss reads h_n and c_n",
     dict(mode="lstm", lengths=PACKED_LENGTHS, initial_state=True, state_loss=True)),
    ("state_gru.txt", "nn.GRU(5, 4), packed batch of lengths [4, 6, 1, 3], given h0, loss reads h_n",
     dict(mode="gru", lengths=PACKED_LENGTHS, initial_state=True, state_loss=True)),
    ("state_bilstm2.txt", "nn.LSTM(5, 4, num_layers=2, bidirectional=True), packed batch of lengths [4, 6, 1, 3],"
     " given h0 and c0, loss reads h_n and c_n",
     dict(mode="lstm", lengths=PACKED_LENGTHS, num_layers=2, bidirectional=True, initial_state=True, state_loss=True)),
    ("state_bigru2.txt", "nn.GRU(5, 4, num_layers=2, bidirectional=True), packed batch of lengths [4, 6, 1, 3],"
     " given h0, loss reads h_n",
     dict(mode="gru", lengths=PACKED_LENGTHS, num_layers=2, bidirectional=True, initial_state=True, state_loss=True)),
]


def main(argv):
    names = [file_name for file_name, _, _ in CASES]
    unknown = [a for a in argv if a not in names]
    if unknown:
        print(f"usage: make_fixtures.py [FILE ...]; unknown {', '.join(unknown)}; cases: {', '.join(names)}",
              file=sys.stderr)
        return 2
    torch.set_default_dtype(torch.float64)
    os.makedirs(FIXTURES, exist_ok=True)
    for file_name, description, case in CASES:
        if argv and file_name not in argv:
            continue
        torch.manual_seed(SEED)  # each case on its own seed, so adding a case leaves the others unchanged
        tensors = make_case(**case)
        check_against_reference(case["mode"], tensors)
        write_fixture(file_name, description, tensors)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
