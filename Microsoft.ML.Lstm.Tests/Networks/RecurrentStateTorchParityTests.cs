using System.Numerics;
using Microsoft.ML.Lstm.Networks;

namespace Microsoft.ML.Lstm.Tests.Networks;

/// <summary>
/// The recurrent stack's state API against PyTorch (tools/make_fixtures.py, state_*.txt): non-zero h0 (and c0)
/// for every layer and direction go in, the final states h_n (and c_n) of every layer and direction come out,
/// and with the loss sum(output ⊙ R) + sum(h_n ⊙ Rh) + sum(c_n ⊙ Rc) the gradients enter through the output and
/// the final states and leave through the input, the parameters and the initial states. States are
/// [L·D, B, H], index layer·D + direction, sequences in the caller's (unsorted) order, as PyTorch gives them.
/// </summary>
public class RecurrentStateTorchParityTests
{
    /// <summary>The state fixtures: packed batch of lengths [4, 6, 1, 3], LSTM and GRU, 1 layer and 2 bidirectional.</summary>
    public static TheoryData<string> Fixtures => new() { "state_lstm.txt", "state_gru.txt", "state_bilstm2.txt", "state_bigru2.txt" };

    /// <summary>Fixtures whose initial state is zero and whose loss reads only the output, but which hold h_n (and c_n).</summary>
    public static TheoryData<string> ZeroStateFixtures => new() { "lstm.txt", "gru.txt", "bilstm2.txt", "packed_lstm.txt", "packed_bigru.txt" };

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void StatesMatchPyTorchInDoublePrecision(string fixture) => Check<double>(fixture, 1e-10);

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void StatesMatchPyTorchInSinglePrecision(string fixture) => Check<float>(fixture, 1e-5);

    /// <summary>
    /// No initial state means zeros and no final-state gradient means none: the final states of the other
    /// fixtures come out, and the gradients are those of the loss on the output alone.
    /// </summary>
    [Theory]
    [MemberData(nameof(ZeroStateFixtures))]
    public void WithoutStatesTheFinalStatesStillMatchPyTorch(string fixtureName)
    {
        var fixture = TorchFixture.Load(fixtureName);
        var run = Case<double>.Create(fixture, CellOf(fixtureName), threads: 2);

        run.Stack.Forward(run.Layout, run.Input, run.Output, training: true, null);
        AssertStateClose(fixture, "h_n", "c_n", run.Stack.FinalState, run, 1e-10, "final state");
        run.Store.ZeroGradients();
        run.Stack.Backward(run.Layout, run.Input, run.OutputGradient, run.InputGradient, null);

        TorchParityTests.AssertClose(run.Packed(fixture["output"], run.Width), run.Output, 1e-10, "output");
        TorchParityTests.AssertClose(run.Packed(fixture["grad_input"], run.InputSize), run.InputGradient, 1e-10, "grad_input");
        foreach (var (torchName, ourName) in TorchParityTests.ParameterNames(run.Cell, run.Layers, run.Directions))
            TorchParityTests.AssertClose(fixture["grad_" + torchName], run.Store.Gradient(run.Store.Find(ourName)).ToArray(), 1e-10, "grad_" + torchName);
        AssertShape(run.Stack.InitialStateGradient, run);
    }

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void OneAndTwoThreadsGiveBitIdenticalStatesAndGradients(string fixtureName)
    {
        var one = RunWithStates<double>(fixtureName, threads: 1);
        var two = RunWithStates<double>(fixtureName, threads: 2);
        Assert.Equal(one.FinalHidden, two.FinalHidden);
        Assert.Equal(one.FinalCell, two.FinalCell);
        Assert.Equal(one.InitialHiddenGradient, two.InitialHiddenGradient);
        Assert.Equal(one.InitialCellGradient, two.InitialCellGradient);
        Assert.Equal(one.Output, two.Output);
        Assert.Equal(one.InputGradient, two.InputGradient);
        Assert.Equal(one.ParameterGradients, two.ParameterGradients);

        var oneSingle = RunWithStates<float>(fixtureName, threads: 1);
        var twoSingle = RunWithStates<float>(fixtureName, threads: 2);
        Assert.Equal(oneSingle.FinalHidden, twoSingle.FinalHidden);
        Assert.Equal(oneSingle.FinalCell, twoSingle.FinalCell);
        Assert.Equal(oneSingle.InitialHiddenGradient, twoSingle.InitialHiddenGradient);
        Assert.Equal(oneSingle.InitialCellGradient, twoSingle.InitialCellGradient);
    }

    private static void Check<T>(string fixtureName, double tolerance)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var fixture = TorchFixture.Load(fixtureName);
        var run = Case<T>.Create(fixture, CellOf(fixtureName), threads: 2);
        RecurrentState<T> initial = run.State("h0", "c0");

        // Inference reads the same initial state and leaves the same final state as training.
        run.Stack.Forward(run.Layout, run.Input, run.Output, training: false, initial);
        TorchParityTests.AssertClose(run.Packed(fixture["output"], run.Width), run.Output, tolerance, "output (inference)");
        AssertStateClose(fixture, "h_n", "c_n", run.Stack.FinalState, run, tolerance, "final state (inference)");

        run.Stack.Forward(run.Layout, run.Input, run.Output, training: true, initial);
        TorchParityTests.AssertClose(run.Packed(fixture["output"], run.Width), run.Output, tolerance, "output");
        RecurrentState<T> final = run.Stack.FinalState;
        AssertStateClose(fixture, "h_n", "c_n", final, run, tolerance, "final state");

        // The loss PyTorch differentiated, from our values: output ⊙ R + h_n ⊙ Rh (+ c_n ⊙ Rc).
        double loss = Dot(run.Output, run.OutputGradient) + Dot(final.Hidden, Values<T>(fixture["Rh"]));
        if (final.HasCell)
            loss += Dot(final.Cell, Values<T>(fixture["Rc"]));
        Assert.True(Math.Abs(loss - fixture["loss"][0]) <= tolerance * (1 + Math.Abs(fixture["loss"][0])) * 10,
            $"loss: expected {fixture["loss"][0]:R}, got {loss:R}.");

        RecurrentState<T> finalGradient = run.State("Rh", "Rc");
        run.Store.ZeroGradients();
        run.Stack.Backward(run.Layout, run.Input, run.OutputGradient, run.InputGradient, finalGradient);

        TorchParityTests.AssertClose(run.Packed(fixture["grad_input"], run.InputSize), run.InputGradient, tolerance, "grad_input");
        foreach (var (torchName, ourName) in TorchParityTests.ParameterNames(run.Cell, run.Layers, run.Directions))
            TorchParityTests.AssertClose(fixture["grad_" + torchName], run.Store.Gradient(run.Store.Find(ourName)).ToArray(), tolerance, "grad_" + torchName);
        AssertStateClose(fixture, "grad_h0", "grad_c0", run.Stack.InitialStateGradient, run, tolerance, "initial state gradient");

        // Forward and Backward read the states they are given and do not write them.
        Assert.Equal(Values<T>(fixture["h0"]), initial.Hidden);
        Assert.Equal(Values<T>(fixture["Rh"]), finalGradient.Hidden);
        if (initial.HasCell)
        {
            Assert.Equal(Values<T>(fixture["c0"]), initial.Cell);
            Assert.Equal(Values<T>(fixture["Rc"]), finalGradient.Cell);
        }
    }

    /// <summary>Forward and backward with the fixture's states; copies of everything the test compares.</summary>
    private static Results<T> RunWithStates<T>(string fixtureName, int threads)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var fixture = TorchFixture.Load(fixtureName);
        var run = Case<T>.Create(fixture, CellOf(fixtureName), threads);
        run.Stack.Forward(run.Layout, run.Input, run.Output, training: true, run.State("h0", "c0"));
        T[] finalHidden = (T[])run.Stack.FinalState.Hidden.Clone();
        T[] finalCell = (T[])run.Stack.FinalState.Cell.Clone();
        run.Store.ZeroGradients();
        run.Stack.Backward(run.Layout, run.Input, run.OutputGradient, run.InputGradient, run.State("Rh", "Rc"));
        return new Results<T>(
            finalHidden, finalCell,
            (T[])run.Stack.InitialStateGradient.Hidden.Clone(), (T[])run.Stack.InitialStateGradient.Cell.Clone(),
            (T[])run.Output.Clone(), (T[])run.InputGradient.Clone(), (T[])run.Store.Gradients.Clone());
    }

    private sealed record Results<T>(
        T[] FinalHidden, T[] FinalCell, T[] InitialHiddenGradient, T[] InitialCellGradient,
        T[] Output, T[] InputGradient, T[] ParameterGradients);

    /// <summary>A stack with PyTorch's weights and the fixture's batch, packed, with buffers for the results.</summary>
    private sealed class Case<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        private TorchFixture fixture = null!;
        private int maxLength;

        public CellType Cell { get; private init; }
        public int InputSize { get; private init; }
        public int Hidden { get; private init; }
        public int Layers { get; private init; }
        public int Directions { get; private init; }
        public int Width => Directions * Hidden;
        public int Sequences => Layout.SequenceCount;
        public PackedLayout Layout { get; private init; } = null!;
        public ParameterStore<T> Store { get; private init; } = null!;
        public RecurrentStack<T> Stack { get; private init; } = null!;
        public T[] Input { get; private init; } = null!;
        public T[] OutputGradient { get; private init; } = null!;
        public T[] Output { get; private init; } = null!;
        public T[] InputGradient { get; private init; } = null!;

        public static Case<T> Create(TorchFixture fixture, CellType cell, int threads)
        {
            int inputSize = fixture.Int("input_size"), hidden = fixture.Int("hidden_size");
            int layers = fixture.Int("num_layers"), directions = fixture.Int("num_directions");
            var store = new ParameterStore<T>();
            var stack = new RecurrentStack<T>(store, "rnn", cell, inputSize, hidden, layers, directions == 2, MergeMode.Concat, 0, new Random(1), threads: threads);
            TorchParityTests.LoadTorchWeights(fixture, store, cell, layers, directions);
            var layout = PackedLayout.FromLengths(fixture.Ints("lengths"));
            int maxLength = fixture.Shape("input")[1];
            return new Case<T>
            {
                fixture = fixture,
                maxLength = maxLength,
                Cell = cell,
                InputSize = inputSize,
                Hidden = hidden,
                Layers = layers,
                Directions = directions,
                Layout = layout,
                Store = store,
                Stack = stack,
                Input = TorchParityTests.Pack<T>(layout, fixture["input"], maxLength, inputSize),
                OutputGradient = TorchParityTests.Pack<T>(layout, fixture["R"], maxLength, directions * hidden),
                Output = new T[layout.TotalSteps * directions * hidden],
                InputGradient = new T[layout.TotalSteps * inputSize],
            };
        }

        /// <summary>Packs a batch-first padded fixture tensor [B, T, width] in double, for comparisons.</summary>
        public double[] Packed(double[] padded, int width) => TorchParityTests.Pack<double>(Layout, padded, maxLength, width);

        /// <summary>A state [L·D, B, H] holding the fixture's tensors (the cell one only for an LSTM), unsorted as in the file.</summary>
        public RecurrentState<T> State(string hidden, string cell)
        {
            var state = new RecurrentState<T>(Layers * Directions, Sequences, Hidden, Cell != CellType.Gru);
            TorchParityTests.Copy<T>(fixture[hidden], state.Hidden);
            if (state.HasCell)
                TorchParityTests.Copy<T>(fixture[cell], state.Cell);
            return state;
        }
    }

    private static CellType CellOf(string fixtureName) => fixtureName.Contains("gru") ? CellType.Gru : CellType.Lstm;

    /// <summary>The state's shape is [L·D, B, H] with a cell part exactly for an LSTM, and its values match the fixture's.</summary>
    private static void AssertStateClose<T>(TorchFixture fixture, string hidden, string cell, RecurrentState<T> state, Case<T> run, double tolerance, string what)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        AssertShape(state, run);
        TorchParityTests.AssertClose(fixture[hidden], state.Hidden, tolerance, $"{what}: {hidden}");
        if (state.HasCell)
            TorchParityTests.AssertClose(fixture[cell], state.Cell, tolerance, $"{what}: {cell}");
    }

    private static void AssertShape<T>(RecurrentState<T> state, Case<T> run)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Assert.Equal(run.Layers * run.Directions, state.States);
        Assert.Equal(run.Sequences, state.Sequences);
        Assert.Equal(run.Hidden, state.HiddenSize);
        Assert.Equal(run.Cell != CellType.Gru, state.HasCell);
        Assert.Equal(state.States * state.Sequences * state.HiddenSize, state.Hidden.Length);
        Assert.Equal(state.HasCell ? state.Hidden.Length : 0, state.Cell.Length);
    }

    private static T[] Values<T>(double[] values)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var result = new T[values.Length];
        TorchParityTests.Copy<T>(values, result);
        return result;
    }

    private static double Dot<T>(T[] a, T[] b)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Assert.Equal(a.Length, b.Length);
        double sum = 0;
        for (int i = 0; i < a.Length; i++)
            sum += double.CreateChecked(a[i]) * double.CreateChecked(b[i]);
        return sum;
    }
}
