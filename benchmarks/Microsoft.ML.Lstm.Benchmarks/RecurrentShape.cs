using Microsoft.ML.Lstm.Networks;
using Microsoft.ML.Lstm.Numerics;

namespace Microsoft.ML.Lstm.Benchmarks;

/// <summary>
/// One benchmark case: a recurrent stack of a given cell and shape, with the same work PyTorch's peer
/// does (benchmarks/pytorch_peer.py): forward, loss = mean of squared outputs, backward, Adam step.
/// </summary>
internal sealed class RecurrentShape
{
    /// <summary>The shapes of issue #2: input, hidden, layers, batch, steps.</summary>
    public static readonly IReadOnlyDictionary<string, (int Input, int Hidden, int Layers, int Batch, int Steps)> Shapes =
        new Dictionary<string, (int, int, int, int, int)>
        {
            ["a"] = (128, 256, 1, 64, 100),
            ["b"] = (64, 128, 2, 32, 50),
            ["c"] = (512, 512, 1, 64, 100),
        };

    private readonly RecurrentStack<float> stack;
    private readonly ParameterStore<float> parameters = new();
    private readonly AdamOptimizer<float> optimizer;
    private readonly PackedLayout layout;
    private readonly float[] input;
    private readonly float[] output;
    private readonly float[] outputGradient;

    /// <param name="ragged">Sequences of uneven lengths, <see cref="RaggedLengths"/>, as text comes, instead of all
    /// <paramref name="steps"/> long: the steps' row counts then run down through every remainder of the GEMM's tiles.</param>
    public RecurrentShape(CellType cell, bool bidirectional, int inputSize, int hidden, int layers, int batch, int steps, int threads, bool ragged = false)
    {
        var random = new Random(1);
        stack = new RecurrentStack<float>(parameters, "rnn", cell, inputSize, hidden, layers, bidirectional, MergeMode.Concat, 0, random, threads);
        optimizer = new AdamOptimizer<float>(parameters.Count, 1e-3);
        int[] lengths = ragged ? RaggedLengths(batch, steps) : Enumerable.Repeat(steps, batch).ToArray();
        layout = PackedLayout.FromLengths(lengths);
        input = new float[layout.TotalSteps * inputSize];
        for (int i = 0; i < input.Length; i++)
            input[i] = (float)(random.NextDouble() * 2 - 1);
        output = new float[layout.TotalSteps * stack.OutputSize];
        outputGradient = new float[output.Length];
        StepsPerBatch = layout.TotalSteps;
    }

    /// <summary>
    /// Scores with the recurrent weights compressed to <paramref name="format"/> from now on, as
    /// <c>WithWeightPrecision</c> would (<see cref="Infer"/> only: training changes the weights and drops them).
    /// </summary>
    public void Compress(WeightFormat format)
    {
        var weights = new List<(string, QuantizedMatrix)>();
        foreach (ParameterView view in parameters.Views)
        {
            if (WeightCompression.IsCompressible(view))
                weights.Add((view.Name, QuantizedMatrix.Quantize(format, parameters.Value(view), view.Shape[0], view.Shape[1])));
        }
        WeightCompression.Create(format, weights).AttachTo(parameters);
    }

    /// <summary>
    /// The lengths of a ragged batch: evenly spread from a tenth of <paramref name="steps"/> (at least 1) to all of them,
    /// lo + (steps − lo)·i / (batch − 1) in integers, the rule benchmarks/pytorch_peer.py --ragged follows.
    /// </summary>
    public static int[] RaggedLengths(int batch, int steps)
    {
        int shortest = Math.Max(1, steps / 10);
        return Enumerable.Range(0, batch)
            .Select(i => batch == 1 ? steps : shortest + (int)((long)(steps - shortest) * i / (batch - 1)))
            .ToArray();
    }

    /// <summary>Bytes of the stack's output array, which holds h_t of the last layer.</summary>
    public long OutputBytes => (long)output.Length * sizeof(float);

    /// <summary>Time steps processed by one call (the sequences' lengths summed: batch · steps unless ragged).</summary>
    public int StepsPerBatch { get; }

    /// <summary>Forward, mean-square loss, backward and an Adam step.</summary>
    public void TrainStep()
    {
        parameters.ZeroGradients();
        stack.Forward(layout, input, output, training: true);
        float scale = 2f / output.Length;
        for (int i = 0; i < output.Length; i++)
            outputGradient[i] = scale * output[i];
        stack.Backward(layout, input, outputGradient, Span<float>.Empty);
        optimizer.Step(parameters.Values, parameters.Gradients);
    }

    /// <summary>Forward only.</summary>
    public void Infer() => stack.Forward(layout, input, output, training: false);

    /// <summary>FNV-1a over the bits of the parameters and of the last output: equal only if every bit is.</summary>
    public ulong Checksum()
    {
        ulong hash = 14695981039346656037UL;
        foreach (float[] values in new[] { parameters.Values, output })
        {
            foreach (float value in values)
                hash = (hash ^ (uint)BitConverter.SingleToInt32Bits(value)) * 1099511628211UL;
        }
        return hash;
    }
}
