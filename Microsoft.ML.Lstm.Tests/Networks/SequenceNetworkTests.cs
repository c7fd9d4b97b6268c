using Microsoft.ML.Lstm.Networks;

namespace Microsoft.ML.Lstm.Tests.Networks;

public class SequenceNetworkTests
{
    private static readonly Dictionary<string, NetworkSpec> Specs = new()
    {
        ["tokens, bidirectional LSTM, attention"] = new NetworkSpec { Input = SequenceInputKind.Tokens, VocabularySize = 9, EmbeddingSize = 3, HiddenSize = 4, Bidirectional = true, Pooling = PoolingMode.Attention, OutputSize = 2 },
        ["tokens, stacked peephole LSTM, mean"] = new NetworkSpec { Input = SequenceInputKind.Tokens, VocabularySize = 9, EmbeddingSize = 3, Cell = CellType.PeepholeLstm, HiddenSize = 3, LayerCount = 2, Pooling = PoolingMode.Mean, OutputSize = 2 },
        ["features, bidirectional GRU summed, last state"] = new NetworkSpec { Input = SequenceInputKind.Features, FeaturesPerStep = 2, Cell = CellType.Gru, HiddenSize = 3, Bidirectional = true, Merge = MergeMode.Sum, Pooling = PoolingMode.LastState, OutputSize = 3 },
        ["features, bidirectional peephole LSTM averaged, mean"] = new NetworkSpec { Input = SequenceInputKind.Features, FeaturesPerStep = 2, Cell = CellType.PeepholeLstm, HiddenSize = 3, Bidirectional = true, Merge = MergeMode.Mean, Pooling = PoolingMode.Mean, OutputSize = 2 },
        ["tokens, bidirectional LSTM concatenated, last state"] = new NetworkSpec { Input = SequenceInputKind.Tokens, VocabularySize = 9, EmbeddingSize = 3, HiddenSize = 3, Bidirectional = true, Pooling = PoolingMode.LastState, OutputSize = 2 },
        ["features, bidirectional GRU concatenated, max"] = new NetworkSpec { Input = SequenceInputKind.Features, FeaturesPerStep = 2, Cell = CellType.Gru, HiddenSize = 3, Bidirectional = true, Pooling = PoolingMode.Max, OutputSize = 2 },
        ["features, GRU, max"] = new NetworkSpec { Input = SequenceInputKind.Features, FeaturesPerStep = 2, Cell = CellType.Gru, HiddenSize = 3, Pooling = PoolingMode.Max, OutputSize = 1 },
        ["tokens, bidirectional LSTM, per-step tagger"] = new NetworkSpec { Input = SequenceInputKind.Tokens, VocabularySize = 9, EmbeddingSize = 3, HiddenSize = 3, Bidirectional = true, Pooling = null, OutputSize = 4 },
    };

    private static SequenceBatch<double> Batch(NetworkSpec spec, int seed)
    {
        var random = new Random(seed);
        int[] lengths = [3, 1, 4, 2];
        if (spec.Input == SequenceInputKind.Tokens)
            return SequenceBatch<double>.FromTokens(lengths.Select(l => Enumerable.Range(0, l).Select(_ => random.Next(spec.VocabularySize)).ToArray()).ToList());
        return SequenceBatch<double>.FromFeatures(
            lengths.Select(l => Enumerable.Range(0, l * spec.FeaturesPerStep).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray()).ToList(),
            spec.FeaturesPerStep);
    }

    public static TheoryData<string> SpecNames => new(Specs.Keys);

    [Theory]
    [MemberData(nameof(SpecNames))]
    public void BackwardMatchesFiniteDifferences(string name)
    {
        NetworkSpec spec = Specs[name];
        var network = new SequenceNetwork<double>(spec, seed: 11, threads: 1);
        var batch = Batch(spec, seed: 12);
        var random = new Random(13);
        double[] weights = Enumerable.Range(0, network.OutputRows(batch) * spec.OutputSize).Select(_ => random.NextDouble() * 2 - 1).ToArray();

        // L = Σ output ⊙ weights, so ∂L/∂output = weights.
        double Loss()
        {
            ReadOnlySpan<double> output = network.Forward(batch, training: true);
            double sum = 0;
            for (int i = 0; i < output.Length; i++)
                sum += output[i] * weights[i];
            return sum;
        }

        network.Parameters.ZeroGradients();
        Loss();
        network.Backward(weights);
        double[] analytic = (double[])network.Parameters.Gradients.Clone();

        FiniteDifferences.Check(network.Parameters.Values, analytic, Loss, i => $"{name}: parameter {ParameterName(network.Parameters, i)}", 1e-6, 1e-6);
    }

    /// <summary>
    /// Hidden 20 splits the threads by sequences; 64 and 96 (whole GEMM panels) split each step by hidden units,
    /// 96 unevenly; a tagger on batch 1 splits one sequence's steps.
    /// </summary>
    [Theory]
    [InlineData("Lstm", 20, 9)]
    [InlineData("Lstm", 64, 9)]
    [InlineData("Gru", 96, 9)]
    [InlineData("PeepholeLstm", 64, 9)]
    [InlineData("Gru", 64, 1)]
    public void OneAndTwoThreadsGiveIdenticalOutputsAndGradients(string cellName, int hidden, int sequences)
    {
        CellType cell = Enum.Parse<CellType>(cellName);
        var spec = new NetworkSpec
        {
            Input = SequenceInputKind.Tokens, VocabularySize = 50, EmbeddingSize = 8, Cell = cell, HiddenSize = hidden, LayerCount = 2,
            Bidirectional = true, Pooling = sequences == 1 ? null : PoolingMode.Attention, OutputSize = 3,
        };
        var random = new Random(2);
        var batch = SequenceBatch<float>.FromTokens(Enumerable.Range(0, sequences).Select(i => Enumerable.Range(0, 3 + i * 2 % 7).Select(_ => random.Next(50)).ToArray()).ToList());
        (float[] Output, float[] Inference, float[] Gradient) Run(int threads)
        {
            var network = new SequenceNetwork<float>(spec, seed: 4, threads);
            float[] inference = network.Forward(batch, training: false).ToArray();
            float[] output = network.Forward(batch, training: true).ToArray();
            network.Parameters.ZeroGradients();
            network.Backward(output);
            return (output, inference, (float[])network.Parameters.Gradients.Clone());
        }
        var one = Run(1);
        var two = Run(2);
        Assert.Equal(one.Output, two.Output);
        Assert.Equal(one.Output, one.Inference);
        Assert.Equal(one.Inference, two.Inference);
        Assert.Equal(one.Gradient, two.Gradient);
    }

    [Fact]
    public void OutputsComeInTheCallersOrderWhateverTheBatch()
    {
        var spec = new NetworkSpec { Input = SequenceInputKind.Tokens, VocabularySize = 9, EmbeddingSize = 3, HiddenSize = 4, Bidirectional = true, OutputSize = 2 };
        var network = new SequenceNetwork<double>(spec, seed: 1, threads: 1);
        int[][] sequences = [[1, 2], [3, 4, 5, 6], [7]];
        double[] together = network.Forward(SequenceBatch<double>.FromTokens(sequences), training: false).ToArray();
        for (int i = 0; i < sequences.Length; i++)
        {
            double[] alone = network.Forward(SequenceBatch<double>.FromTokens([sequences[i]]), training: false).ToArray();
            Assert.Equal(alone, together.AsSpan(i * 2, 2).ToArray(), (a, b) => Math.Abs(a - b) < 1e-12);
        }
    }

    [Fact]
    public void TaggerOutputsOneRowPerStepInTheCallersOrder()
    {
        var spec = new NetworkSpec { Input = SequenceInputKind.Tokens, VocabularySize = 9, EmbeddingSize = 3, HiddenSize = 4, Pooling = null, OutputSize = 2 };
        var network = new SequenceNetwork<double>(spec, seed: 1, threads: 1);
        int[][] sequences = [[1, 2], [3, 4, 5], [7]];
        double[] together = network.Forward(SequenceBatch<double>.FromTokens(sequences), training: false).ToArray();
        Assert.Equal(6 * 2, together.Length);
        double[] second = network.Forward(SequenceBatch<double>.FromTokens([sequences[1]]), training: false).ToArray();
        Assert.Equal(second, together.AsSpan(2 * 2, 3 * 2).ToArray(), (a, b) => Math.Abs(a - b) < 1e-12);
    }

    private static string ParameterName(ParameterStore<double> store, int index)
    {
        foreach (ParameterView view in store.Views)
        {
            if (index >= view.Offset && index < view.Offset + view.Length)
                return $"{view.Name}[{index - view.Offset}]";
        }
        return index.ToString();
    }
}
