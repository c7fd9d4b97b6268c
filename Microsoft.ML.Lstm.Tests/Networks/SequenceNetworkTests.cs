using Microsoft.ML.Lstm.Networks;
using static Microsoft.ML.Lstm.Tests.Networks.NetworkSpecs;

namespace Microsoft.ML.Lstm.Tests.Networks;

public class SequenceNetworkTests
{
    private static readonly Dictionary<string, NetworkSpec> Specs = new()
    {
        ["tokens, bidirectional LSTM, attention"] = Pooled(Tokens(9, 3, 4, bidirectional: true), PoolingMode.Attention, 2, LossKind.SoftmaxCrossEntropy),
        ["tokens, stacked peephole LSTM, mean"] = Pooled(Tokens(9, 3, 3, CellType.PeepholeLstm, layers: 2), PoolingMode.Mean, 1, LossKind.SigmoidBinaryCrossEntropy),
        ["features, bidirectional GRU summed, last state"] = Pooled(Features(2, 3, CellType.Gru, bidirectional: true, merge: MergeMode.Sum), PoolingMode.LastState, 3, LossKind.MeanSquaredError),
        ["features, bidirectional peephole LSTM averaged, mean"] = Pooled(Features(2, 3, CellType.PeepholeLstm, bidirectional: true, merge: MergeMode.Mean), PoolingMode.Mean, 2, LossKind.Huber),
        ["tokens, bidirectional LSTM concatenated, last state"] = Pooled(Tokens(9, 3, 3, bidirectional: true), PoolingMode.LastState, 2, LossKind.SoftmaxCrossEntropy),
        ["features, bidirectional GRU concatenated, max"] = Pooled(Features(2, 3, CellType.Gru, bidirectional: true), PoolingMode.Max, 2, LossKind.SoftmaxCrossEntropy),
        ["features, GRU, max"] = Pooled(Features(2, 3, CellType.Gru), PoolingMode.Max, 1, LossKind.SigmoidBinaryCrossEntropy),
        ["tokens, bidirectional LSTM, per-step softmax"] = StepSoftmax(Tokens(9, 3, 3, bidirectional: true), 4),
        ["tokens, stacked GRU, per-step softmax"] = StepSoftmax(Tokens(9, 3, 3, CellType.Gru, layers: 2), 3),
        ["tokens, bidirectional LSTM, CRF"] = Crf(Tokens(9, 3, 3, bidirectional: true), new CrfHeadSpec { ClassCount = 3 }),
        ["features, GRU, CRF with BIO constraints"] = Crf(Features(2, 3, CellType.Gru), BioCrf(types: 2)),
    };

    private static readonly int[] Lengths = [3, 1, 4, 2];

    public static TheoryData<string> SpecNames => new(Specs.Keys);

    [Theory]
    [MemberData(nameof(SpecNames))]
    public void BackwardMatchesFiniteDifferences(string name)
    {
        NetworkSpec spec = Specs[name];
        var network = new SequenceNetwork<double>(spec, seed: 11, threads: 1);
        var batch = Batch<double>(spec.Encoder, Lengths, new Random(12));
        double[] targets = Targets<double>(spec.Head, Lengths, new Random(13));

        double Loss() => network.Loss(batch, targets, training: true).Mean;

        network.Parameters.ZeroGradients();
        Loss();
        network.Backward();
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
        EncoderSpec encoder = Tokens(50, 8, hidden, cell, layers: 2, bidirectional: true);
        NetworkSpec spec = sequences == 1 ? StepSoftmax(encoder, 3) : Pooled(encoder, PoolingMode.Attention, 3, LossKind.SoftmaxCrossEntropy);
        var random = new Random(2);
        int[] lengths = Enumerable.Range(0, sequences).Select(i => 3 + i * 2 % 7).ToArray();
        var batch = Batch<float>(encoder, lengths, random);
        float[] targets = Targets<float>(spec.Head, lengths, random);
        (double Loss, float[] Inference, float[] Gradient) Run(int threads)
        {
            var network = new SequenceNetwork<float>(spec, seed: 4, threads);
            float[] inference = network.Predict(batch).ToArray();
            double loss = network.Loss(batch, targets, training: true).Mean;
            network.Parameters.ZeroGradients();
            network.Backward();
            return (loss, inference, (float[])network.Parameters.Gradients.Clone());
        }
        var one = Run(1);
        var two = Run(2);
        Assert.Equal(one.Loss, two.Loss);
        Assert.Equal(one.Inference, two.Inference);
        Assert.Equal(one.Gradient, two.Gradient);
    }

    [Fact]
    public void PooledPredictionsComeInTheCallersOrderWhateverTheBatch()
    {
        var network = new SequenceNetwork<double>(Pooled(Tokens(9, 3, 4, bidirectional: true), PoolingMode.LastState, 2, LossKind.SoftmaxCrossEntropy), seed: 1, threads: 1);
        int[][] sequences = [[1, 2], [3, 4, 5, 6], [7]];
        double[] together = network.Predict(SequenceBatch<double>.FromTokens(sequences)).ToArray();
        for (int i = 0; i < sequences.Length; i++)
        {
            double[] alone = network.Predict(SequenceBatch<double>.FromTokens([sequences[i]])).ToArray();
            Assert.Equal(alone, together.AsSpan(i * 2, 2).ToArray(), (a, b) => Math.Abs(a - b) < 1e-12);
        }
    }

    [Fact]
    public void StepSoftmaxPredictsOneRowPerStepInTheCallersOrder()
    {
        var network = new SequenceNetwork<double>(StepSoftmax(Tokens(9, 3, 4), 2), seed: 1, threads: 1);
        int[][] sequences = [[1, 2], [3, 4, 5], [7]];
        double[] together = network.Predict(SequenceBatch<double>.FromTokens(sequences)).ToArray();
        Assert.Equal(6 * 2, together.Length);
        double[] second = network.Predict(SequenceBatch<double>.FromTokens([sequences[1]])).ToArray();
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
