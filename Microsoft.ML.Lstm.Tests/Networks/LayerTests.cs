using Microsoft.ML.Lstm.Networks;

namespace Microsoft.ML.Lstm.Tests.Networks;

public class LayerTests
{
    [Fact]
    public void DropoutKeepsAboutOneMinusRateAndScalesTheKept()
    {
        var dropout = new DropoutLayer<double>(0.3, new Random(1));
        double[] input = Enumerable.Repeat(1.0, 20000).ToArray();
        var output = new double[input.Length];
        dropout.Forward(input, output, training: true);
        double kept = output.Count(v => v != 0) / (double)output.Length;
        Assert.InRange(kept, 0.68, 0.72);
        Assert.All(output, v => Assert.True(v == 0 || Math.Abs(v - 1 / 0.7) < 1e-12));

        var gradient = new double[input.Length];
        dropout.Backward(Enumerable.Repeat(2.0, input.Length).ToArray(), gradient);
        for (int i = 0; i < gradient.Length; i++)
            Assert.Equal(output[i] * 2, gradient[i], 12);
    }

    [Fact]
    public void DropoutIsTheIdentityAtInference()
    {
        var dropout = new DropoutLayer<float>(0.5, new Random(1));
        float[] input = [1, 2, 3];
        var output = new float[3];
        dropout.Forward(input, output, training: false);
        Assert.Equal(input, output);
    }

    [Fact]
    public void FrozenEmbeddingReceivesNoGradient()
    {
        var store = new ParameterStore<float>();
        var embedding = new EmbeddingLayer<float>(store, "e", 5, 3, new Random(1)) { Trainable = false };
        embedding.Backward([1, 2], [1f, 1f, 1f, 1f, 1f, 1f]);
        Assert.All(store.Gradients, g => Assert.Equal(0f, g));
        embedding.Trainable = true;
        embedding.Backward([1, 1], [1f, 2f, 3f, 1f, 1f, 1f]);
        Assert.Equal([2f, 3f, 4f], store.Gradient(store.Find("e")).Slice(3, 3).ToArray());
    }

    [Fact]
    public void EmbeddingRejectsATokenOutOfRange()
    {
        var embedding = new EmbeddingLayer<float>(new ParameterStore<float>(), "e", 5, 3, new Random(1));
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => embedding.Forward([1, 5], new float[6]));
        Assert.Contains("position 1", error.Message);
    }

    /// <summary>
    /// One thread projects the input of all steps at once, two threads each range's own rows; over an input wider than
    /// one GEMM depth block (300) both must add the bias before the blocks' sums, or the bits differ with the thread count.
    /// </summary>
    [Theory]
    [InlineData(CellTypeName.Lstm)]
    [InlineData(CellTypeName.Gru)]
    public void OneAndTwoThreadsGiveTheSameBitsOverAnInputWiderThanADepthBlock(CellTypeName cellName)
    {
        const int inputSize = 300, hiddenSize = 20;
        var layout = PackedLayout.FromLengths([4, 3, 2, 2]);
        float[] Run(int threads)
        {
            var store = new ParameterStore<float>();
            var layer = new RecurrentLayer<float>(store, "l", (CellType)cellName, inputSize, hiddenSize, new Random(4), threads);
            var random = new Random(6);
            foreach (ParameterView view in store.Views.Where(view => view.Name.Contains("bias")))
            {
                Span<float> bias = store.Value(view);
                for (int i = 0; i < bias.Length; i++)
                    bias[i] = (float)(random.NextDouble() - 0.5);
            }
            float[] input = Enumerable.Range(0, layout.TotalSteps * inputSize).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
            var output = new float[layout.TotalSteps * hiddenSize];
            layer.Forward(layout, input, output, training: false);
            return output;
        }

        Assert.Equal(Run(1), Run(2));
    }

    /// <summary>
    /// Scoring keeps none of the input projections for a backward pass: it makes a chunk of steps' (one range) or one
    /// step's (several ranges) at a time, in a buffer of that size, and an LSTM's c_t of two steps only. The hidden
    /// states and each sequence's final h and c must keep the bits a training forward gives them, and a scoring pass
    /// over a batch whose projections would take megabytes allocates a small part of that (sequences of uneven lengths,
    /// so that chunks end where a step's batch size changes, and short sequences end while long ones go on).
    /// </summary>
    [Theory]
    [InlineData(CellTypeName.Lstm, 1)]
    [InlineData(CellTypeName.Lstm, 2)]
    [InlineData(CellTypeName.PeepholeLstm, 1)]
    [InlineData(CellTypeName.Gru, 1)]
    [InlineData(CellTypeName.Gru, 2)]
    public void ScoringGivesTheBitsOfATrainingForwardAndKeepsOnlyAChunkOfProjections(CellTypeName cellName, int threads)
    {
        const int inputSize = 16, hiddenSize = 64;
        var layout = PackedLayout.FromLengths([400, 390, 350, 300, 260, 200, 120, 37]);
        var random = new Random(6);
        float[] input = Enumerable.Range(0, layout.TotalSteps * inputSize).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
        float[] Run(bool training, out long allocated, out float[] finalState)
        {
            var store = new ParameterStore<float>();
            var layer = new RecurrentLayer<float>(store, "l", (CellType)cellName, inputSize, hiddenSize, new Random(4), threads);
            var output = new float[layout.TotalSteps * hiddenSize];
            long before = GC.GetAllocatedBytesForCurrentThread();
            layer.Forward(layout, input, output, training);
            allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            finalState = [.. layer.FinalHidden, .. layer.FinalCell];
            return output;
        }

        float[] trained = Run(training: true, out long trainingBytes, out float[] trainedState);
        float[] scored = Run(training: false, out long scoringBytes, out float[] scoredState);

        Assert.Equal(trained, scored);
        Assert.Equal(trainedState, scoredState);
        long allProjections = (long)layout.TotalSteps * (cellName == CellTypeName.Gru ? 3 : 4) * hiddenSize * sizeof(float);
        Assert.True(trainingBytes >= allProjections, $"training allocated {trainingBytes:N0} bytes, less than its projections' {allProjections:N0}");
        Assert.True(scoringBytes < trainingBytes - allProjections / 2,
            $"scoring allocated {scoringBytes:N0} bytes against training's {trainingBytes:N0}: it kept the projections of every step");
    }

    [Fact]
    public void RecurrentWeightsStartOrthogonalAndForgetBiasAtOne()
    {
        var store = new ParameterStore<double>();
        _ = new RecurrentLayer<double>(store, "l", CellType.Lstm, 3, 6, new Random(2), threads: 1);
        ReadOnlySpan<double> recurrent = store.Value(store.Find("l.weight_hh"));
        for (int gate = 0; gate < 4; gate++)
        {
            ReadOnlySpan<double> block = recurrent.Slice(gate * 36, 36);
            for (int i = 0; i < 6; i++)
            {
                for (int j = 0; j < 6; j++)
                {
                    double dot = 0;
                    for (int k = 0; k < 6; k++)
                        dot += block[i * 6 + k] * block[j * 6 + k];
                    Assert.Equal(i == j ? 1.0 : 0.0, dot, 10);
                }
            }
        }
        Assert.Equal(Enumerable.Repeat(1.0, 6), store.Value(store.Find("l.bias")).Slice(6, 6).ToArray());
        Assert.All(store.Value(store.Find("l.bias")).Slice(0, 6).ToArray(), b => Assert.Equal(0.0, b));
    }

    [Theory]
    [InlineData(CellTypeName.Lstm)]
    [InlineData(CellTypeName.Gru)]
    [InlineData(CellTypeName.PeepholeLstm)]
    public void InitialStateGradientsMatchFiniteDifferences(CellTypeName cellName)
    {
        var cell = (CellType)cellName;
        var store = new ParameterStore<double>();
        var layer = new RecurrentLayer<double>(store, "l", cell, 2, 3, new Random(4), threads: 2);
        var layout = PackedLayout.FromLengths([3, 1, 2]);
        var random = new Random(5);
        double[] input = Enumerable.Range(0, layout.TotalSteps * 2).Select(_ => random.NextDouble() - 0.5).ToArray();
        double[] hidden = Enumerable.Range(0, 9).Select(_ => random.NextDouble() - 0.5).ToArray();
        double[] cellState = Enumerable.Range(0, 9).Select(_ => random.NextDouble() - 0.5).ToArray();
        double[] weights = Enumerable.Range(0, layout.TotalSteps * 3).Select(_ => random.NextDouble() - 0.5).ToArray();
        var output = new double[layout.TotalSteps * 3];

        double Loss()
        {
            layer.Forward(layout, input, output, training: true, hidden, cell == CellType.Gru ? [] : cellState);
            return output.Select((v, i) => v * weights[i]).Sum();
        }

        Loss();
        layer.Backward(layout, input, weights, Span<double>.Empty);
        double[] hiddenGradient = layer.InitialHiddenGradient.ToArray();
        double[] cellGradient = layer.InitialCellGradient.ToArray();
        FiniteDifferences.Check(hidden, hiddenGradient, Loss, i => $"h0[{i}]", 1e-6, 1e-6);
        if (cell != CellType.Gru)
            FiniteDifferences.Check(cellState, cellGradient, Loss, i => $"c0[{i}]", 1e-6, 1e-6);
        else
            Assert.Empty(cellGradient);
    }

    [Fact]
    public void InitialStateMatchesPyTorch()
    {
        var fixture = TorchFixture.Load("lstm_initial_state.txt");
        var store = new ParameterStore<double>();
        var layer = new RecurrentLayer<double>(store, "l", CellType.Lstm, fixture.Int("input_size"), fixture.Int("hidden_size"), new Random(1), threads: 1);
        int h = fixture.Int("hidden_size"), inputSize = fixture.Int("input_size");
        int[] lengths = fixture.Ints("lengths");
        int steps = fixture.Shape("input")[1];
        fixture["weight_ih_l0"].CopyTo(store.Value(store.Find("l.weight_ih")));
        fixture["weight_hh_l0"].CopyTo(store.Value(store.Find("l.weight_hh")));
        fixture["bias_ih_l0"].Zip(fixture["bias_hh_l0"], (a, b) => a + b).ToArray().CopyTo(store.Value(store.Find("l.bias")));

        // Equal lengths: the sorted order is the caller's order, so h0, c0 and their gradients compare as they are.
        var layout = PackedLayout.FromLengths(lengths);
        double[] Packed(double[] padded, int width) => TorchParityTests.Pack<double>(layout, padded, steps, width);
        double[] input = Packed(fixture["input"], inputSize);
        var output = new double[layout.TotalSteps * h];
        layer.Forward(layout, input, output, training: true, fixture["h0"], fixture["c0"]);
        layer.Backward(layout, input, Packed(fixture["R"], h), Span<double>.Empty);

        double[] expected = Packed(fixture["output"], h);
        for (int i = 0; i < expected.Length; i++)
            Assert.Equal(expected[i], output[i], 10);
        double[] hiddenGradient = fixture["grad_h0"], cellGradient = fixture["grad_c0"];
        for (int i = 0; i < hiddenGradient.Length; i++)
        {
            Assert.Equal(hiddenGradient[i], layer.InitialHiddenGradient[i], 10);
            Assert.Equal(cellGradient[i], layer.InitialCellGradient[i], 10);
        }
    }

    /// <summary>CellType is internal; theories take this public mirror.</summary>
    public enum CellTypeName
    {
        Lstm = CellType.Lstm,
        PeepholeLstm = CellType.PeepholeLstm,
        Gru = CellType.Gru,
    }
}
