using Microsoft.ML.Lstm.Networks;

namespace Microsoft.ML.Lstm.Tests.Networks;

/// <summary>
/// The recurrent stack against PyTorch's nn.LSTM / nn.GRU on the committed fixtures
/// (tools/make_fixtures.py): same weights and inputs give the same outputs, parameter gradients
/// and input gradients, for equal-length batches, packed batches of unequal lengths, and stacked
/// bidirectional layers.
/// </summary>
public class TorchParityTests
{
    /// <summary>The fixtures tools/make_fixtures.py writes for the forward and backward parity checks.</summary>
    public static TheoryData<string> Fixtures => new() { "lstm.txt", "gru.txt", "bilstm2.txt", "packed_lstm.txt", "packed_bigru.txt" };

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void MatchesPyTorchInDoublePrecision(string fixture) => Check<double>(fixture, 1e-10);

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void MatchesPyTorchInSinglePrecision(string fixture) => Check<float>(fixture, 1e-5);

    private static void Check<T>(string fixtureName, double tolerance)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        CellType cell = fixtureName.Contains("gru") ? CellType.Gru : CellType.Lstm;
        var fixture = TorchFixture.Load(fixtureName);
        int inputSize = fixture.Int("input_size"), hidden = fixture.Int("hidden_size");
        int layers = fixture.Int("num_layers"), directions = fixture.Int("num_directions");
        int[] lengths = fixture.Ints("lengths");
        int maxLength = fixture.Shape("input")[1];
        int width = directions * hidden;

        var store = new ParameterStore<T>();
        var stack = new RecurrentStack<T>(store, "rnn", cell, inputSize, hidden, layers, directions == 2, MergeMode.Concat, 0, new Random(1), threads: 2);
        LoadTorchWeights(fixture, store, cell, layers, directions);

        var layout = PackedLayout.FromLengths(lengths);
        T[] input = Pack<T>(layout, fixture["input"], maxLength, inputSize);
        T[] outputGradient = Pack<T>(layout, fixture["R"], maxLength, width);
        var output = new T[layout.TotalSteps * width];
        var inputGradient = new T[input.Length];

        stack.Forward(layout, input, output, training: true);
        store.ZeroGradients();
        stack.Backward(layout, input, outputGradient, inputGradient);

        AssertClose(Pack<double>(layout, fixture["output"], maxLength, width), output, tolerance, "output");
        AssertClose(Pack<double>(layout, fixture["grad_input"], maxLength, inputSize), inputGradient, tolerance, "grad_input");
        foreach (var (torchName, ourName) in ParameterNames(cell, layers, directions))
            AssertClose(fixture["grad_" + torchName], store.Gradient(store.Find(ourName)).ToArray(), tolerance, "grad_" + torchName);
    }

    /// <summary>Copies PyTorch's parameters into the store; the LSTM's single bias is bias_ih + bias_hh.</summary>
    internal static void LoadTorchWeights<T>(TorchFixture fixture, ParameterStore<T> store, CellType cell, int layers, int directions)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        for (int layer = 0; layer < layers; layer++)
        {
            for (int direction = 0; direction < directions; direction++)
            {
                string torch = $"_l{layer}{(direction == 1 ? "_reverse" : "")}";
                string ours = $"rnn.l{layer}{(direction == 1 ? "_reverse" : "")}";
                Copy(fixture["weight_ih" + torch], store.Value(store.Find(ours + ".weight_ih")));
                Copy(fixture["weight_hh" + torch], store.Value(store.Find(ours + ".weight_hh")));
                if (cell == CellType.Gru)
                {
                    Copy(fixture["bias_ih" + torch], store.Value(store.Find(ours + ".bias_ih")));
                    Copy(fixture["bias_hh" + torch], store.Value(store.Find(ours + ".bias_hh")));
                }
                else
                {
                    double[] sum = fixture["bias_ih" + torch].Zip(fixture["bias_hh" + torch], (a, b) => a + b).ToArray();
                    Copy(sum, store.Value(store.Find(ours + ".bias")));
                }
            }
        }
    }

    /// <summary>Each PyTorch parameter with the name of the store's parameter whose gradient equals its gradient.</summary>
    internal static IEnumerable<(string Torch, string Ours)> ParameterNames(CellType cell, int layers, int directions)
    {
        for (int layer = 0; layer < layers; layer++)
        {
            for (int direction = 0; direction < directions; direction++)
            {
                string torch = $"_l{layer}{(direction == 1 ? "_reverse" : "")}";
                string ours = $"rnn.l{layer}{(direction == 1 ? "_reverse" : "")}";
                yield return ("weight_ih" + torch, ours + ".weight_ih");
                yield return ("weight_hh" + torch, ours + ".weight_hh");
                if (cell == CellType.Gru)
                {
                    yield return ("bias_ih" + torch, ours + ".bias_ih");
                    yield return ("bias_hh" + torch, ours + ".bias_hh");
                }
                else
                {
                    // ∂L/∂(b_ih + b_hh) equals PyTorch's grad_bias_ih.
                    yield return ("bias_ih" + torch, ours + ".bias");
                }
            }
        }
    }

    /// <summary>Packs a batch-first padded tensor [B, T, width] into packed rows [N, width].</summary>
    internal static T[] Pack<T>(PackedLayout layout, double[] padded, int maxLength, int width)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        var packed = new T[layout.TotalSteps * width];
        for (int s = 0; s < layout.SequenceCount; s++)
        {
            int original = layout.SortedToOriginal[s];
            for (int t = 0; t < layout.Lengths[s]; t++)
            {
                for (int f = 0; f < width; f++)
                    packed[layout.Row(t, s) * width + f] = T.CreateChecked(padded[(original * maxLength + t) * width + f]);
            }
        }
        return packed;
    }

    /// <summary>Copies fixture values into a span of the engine's precision, checking the length.</summary>
    internal static void Copy<T>(double[] source, Span<T> destination)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        Assert.Equal(source.Length, destination.Length);
        for (int i = 0; i < source.Length; i++)
            destination[i] = T.CreateChecked(source[i]);
    }

    /// <summary>|actual − expected| ≤ tolerance · (1 + |expected|) for every element, the lengths equal.</summary>
    internal static void AssertClose<T>(double[] expected, T[] actual, double tolerance, string what)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            double value = double.CreateChecked(actual[i]);
            Assert.True(Math.Abs(value - expected[i]) <= tolerance * (1 + Math.Abs(expected[i])),
                $"{what}[{i}]: expected {expected[i]:R}, got {value:R} (tolerance {tolerance}).");
        }
    }
}
