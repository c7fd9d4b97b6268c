using Microsoft.ML.Lstm.Networks;
using Microsoft.ML.Lstm.Numerics;

namespace Microsoft.ML.Lstm.Tests.Networks;

public class UnitSplitRecurrenceTests
{
    // Enough steps that a layer of these sizes on two threads takes the split (RecurrentLayer.SplitsUnits).
    private const int Steps = 600;
    private const int InputSize = 32;

    public static TheoryData<int, int, int?> Cases()
    {
        var cases = new TheoryData<int, int, int?>();
        foreach (CellType cell in new[] { CellType.Lstm, CellType.PeepholeLstm, CellType.Gru })
        {
            // 48 units: parts of 16 and 32 (or three of 16); 37: a last part ending in a 128-bit vector and a scalar.
            foreach (int hidden in new[] { 48, 37 })
                cases.Add((int)cell, hidden, null);
            cases.Add((int)cell, 48, (int)WeightFormat.BFloat16);
            cases.Add((int)cell, 37, (int)WeightFormat.Int8);
        }
        return cases;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void OneSequenceOnTwoThreadsGivesTheOneThreadBits(int cellName, int hidden, int? formatName)
    {
        var (single, singleStore) = Layer((CellType)cellName, hidden, threads: 1, (WeightFormat?)formatName);
        var (split, splitStore) = Layer((CellType)cellName, hidden, threads: 2, (WeightFormat?)formatName);
        Assert.Equal(singleStore.Values, splitStore.Values);
        var layout = PackedLayout.FromLengths([Steps]);
        var (input, initialHidden, initialCell) = Inputs((CellType)cellName, hidden, new Random(7));

        Assert.False(single.SplitsUnits(layout, training: false));
        Assert.True(split.SplitsUnits(layout, training: false));
        Assert.False(split.SplitsUnits(layout, training: true));
        Assert.False(split.SplitsUnits(PackedLayout.FromLengths([Steps, 1]), training: false));
        Assert.False(split.SplitsUnits(PackedLayout.FromLengths([2]), training: false));

        float[] expected = Run(single, layout, input, initialHidden, initialCell);
        float[] actual = Run(split, layout, input, initialHidden, initialCell);

        AssertSameBits(expected, actual);
        AssertSameBits(single.FinalHidden.ToArray(), split.FinalHidden.ToArray());
        AssertSameBits(single.FinalCell.ToArray(), split.FinalCell.ToArray());
    }

    [Theory]
    [InlineData(2, 2)]
    [InlineData(3, 3)]
    [InlineData(3, 1)]  // one thread runs every part's tasks itself
    [InlineData(2, 8)]  // more threads than parts
    public void EveryPartCountAndThreadCountGivesTheOneThreadBits(int parts, int threads)
    {
        const int hidden = 48;
        foreach (CellType cell in new[] { CellType.Lstm, CellType.Gru })
        {
            var (single, store) = Layer(cell, hidden, threads: 1, format: null);
            var layout = PackedLayout.FromLengths([12]);
            var (input, initialHidden, initialCell) = Inputs(cell, hidden, new Random(8));
            float[] expected = Run(single, layout, input, initialHidden, initialCell);

            var recurrence = new UnitSplitRecurrence(cell, InputSize, hidden, parts);
            Assert.Equal(parts, recurrence.Bounds.Length - 1);
            var output = new float[layout.TotalSteps * hidden];
            var cells = new float[cell == CellType.Gru ? 0 : layout.TotalSteps * hidden];
            recurrence.Forward(Weights(store, cell), layout, input.AsSpan(0, layout.TotalSteps * InputSize), initialHidden, initialCell, output, cells, threads);
            AssertSameBits(expected, output);
        }
    }

    [Fact]
    public void PassesThatStallOrRunAloneGiveTheOneThreadBits()
    {
        // Every wait counts as a stall: a thread may take every task left, and the passes after it run on one thread.
        const int hidden = 48;
        var (single, store) = Layer(CellType.Lstm, hidden, threads: 1, format: null);
        var layout = PackedLayout.FromLengths([40]);
        var (input, initialHidden, initialCell) = Inputs(CellType.Lstm, hidden, new Random(10));
        float[] expected = Run(single, layout, input, initialHidden, initialCell);
        var recurrence = new UnitSplitRecurrence(CellType.Lstm, InputSize, hidden, 2) { StallTicks = 0 };
        for (int pass = 0; pass < UnitSplitRecurrence.CallsAloneAfterStall + 4; pass++)
        {
            var output = new float[layout.TotalSteps * hidden];
            recurrence.Forward(Weights(store, CellType.Lstm), layout, input.AsSpan(0, layout.TotalSteps * InputSize), initialHidden, initialCell, output, new float[layout.TotalSteps * hidden], threads: 2);
            AssertSameBits(expected, output);
        }
    }

    [Fact]
    public void NewWeightsAreCutAgain()
    {
        var (single, singleStore) = Layer(CellType.Lstm, 48, threads: 1, format: null);
        var (split, splitStore) = Layer(CellType.Lstm, 48, threads: 2, format: null);
        var layout = PackedLayout.FromLengths([Steps]);
        var (input, initialHidden, initialCell) = Inputs(CellType.Lstm, 48, new Random(9));
        Run(split, layout, input, initialHidden, initialCell);

        foreach (ParameterStore<float> store in new[] { singleStore, splitStore })
        {
            for (int i = 0; i < store.Values.Length; i++)
                store.Values[i] *= -0.5f;
            store.MarkChanged();
        }

        AssertSameBits(Run(single, layout, input, initialHidden, initialCell), Run(split, layout, input, initialHidden, initialCell));
    }

    [Theory]
    [InlineData(false, 2, null)]
    [InlineData(false, 2, (int)WeightFormat.BFloat16)]
    [InlineData(true, 4, (int)WeightFormat.Int8)] // each direction on two threads: sections inside sections
    public void ANetworkScoringOneSequenceOnSeveralThreadsGivesTheOneThreadBits(bool bidirectional, int threads, int? formatName)
    {
        NetworkSpec spec = NetworkSpecs.Pooled(
            NetworkSpecs.Features(16, 48, CellType.Lstm, layers: 2, bidirectional: bidirectional), PoolingMode.Max, 3, LossKind.SoftmaxCrossEntropy);
        var trained = new SequenceNetwork<float>(spec, seed: 5, threads: 1);
        var random = new Random(6);
        float[] steps = [.. Enumerable.Range(0, 400 * 16).Select(_ => (float)(random.NextDouble() * 2 - 1))];
        float[] expected = new float[3], actual = new float[3];

        new SequencePredictor(Scoring(trained, 1, (WeightFormat?)formatName)).Predict(steps, expected);
        var predictor = new SequencePredictor(Scoring(trained, threads, (WeightFormat?)formatName));
        predictor.Predict(steps, actual);
        AssertSameBits(expected, actual);
        predictor.Predict(steps, actual); // warm: the parts' weights as they were cut
        AssertSameBits(expected, actual);
    }

    // A batch sorted longest first whose rows shrink over the steps (PackedLayout's BatchSizes 6, 6, 4, 4, 3, …, 1).
    private static readonly int[] BatchLengths = [9, 2, 7, 1, 4, 7];

    [Theory]
    [MemberData(nameof(Cases))]
    public void ABatchOfVariableLengthsOnOneTwoAndFourThreadsGivesTheOneThreadBits(int cellName, int hidden, int? formatName)
    {
        var cell = (CellType)cellName;
        var (single, store) = Layer(cell, hidden, threads: 1, (WeightFormat?)formatName);
        var layout = PackedLayout.FromLengths(BatchLengths);
        var (input, initialHidden, initialCell) = BatchInputs(cell, hidden, layout, new Random(11));
        float[] expected = Run(single, layout, input, initialHidden, initialCell);

        foreach ((int parts, int threads) in new[] { (2, 1), (2, 2), (2, 4), (UnitSplitRecurrence.PartsFor(hidden, 4), 4) })
        {
            var recurrence = new UnitSplitRecurrence(cell, InputSize, hidden, parts);
            var output = new float[layout.TotalSteps * hidden];
            var cells = new float[cell == CellType.Gru ? 0 : layout.TotalSteps * hidden];
            recurrence.Forward(Weights(store, cell), layout, input, initialHidden, initialCell, output, cells, threads);
            AssertSameBits(expected, output);
        }
    }

    [Theory]
    [InlineData((int)CellType.Lstm, 2, null)]
    [InlineData((int)CellType.Lstm, 4, null)]
    [InlineData((int)CellType.PeepholeLstm, 2, null)]
    [InlineData((int)CellType.Gru, 2, null)]
    [InlineData((int)CellType.Gru, 4, (int)WeightFormat.BFloat16)]
    [InlineData((int)CellType.Lstm, 2, (int)WeightFormat.Int8)]
    public void ALayerScoringFewSequencesPerThreadSplitsItsUnitsWithTheOneThreadBits(int cellName, int threads, int? formatName)
    {
        var cell = (CellType)cellName;
        int hidden = HiddenPastL2(cell);
        var (single, singleStore) = Layer(cell, hidden, threads: 1, (WeightFormat?)formatName);
        var (split, splitStore) = Layer(cell, hidden, threads, (WeightFormat?)formatName);
        Assert.Equal(singleStore.Values, splitStore.Values);
        var layout = PackedLayout.FromLengths(BatchLengths);
        var (input, initialHidden, initialCell) = BatchInputs(cell, hidden, layout, new Random(12));

        Assert.False(single.SplitsUnits(layout, training: false));
        Assert.True(split.SplitsUnits(layout, training: false));
        Assert.False(split.SplitsUnits(layout, training: true));
        // Enough sequences per thread: the ranges of sequences.
        Assert.False(split.SplitsUnits(PackedLayout.FromLengths([.. Enumerable.Repeat(3, RecurrentLayer<float>.UnitSplitRowsPerThread * threads)]), training: false));

        for (int pass = 0; pass < 2; pass++) // cold, then with the parts' weights as they were cut
        {
            AssertSameBits(Run(single, layout, input, initialHidden, initialCell), Run(split, layout, input, initialHidden, initialCell));
            AssertSameBits(single.FinalHidden.ToArray(), split.FinalHidden.ToArray());
            AssertSameBits(single.FinalCell.ToArray(), split.FinalCell.ToArray());
        }
        // Without initial states (zero), too.
        AssertSameBits(Run(single, layout, input, [], []), Run(split, layout, input, [], []));
    }

    [Theory]
    [InlineData((int)CellType.Lstm, 2)]
    [InlineData((int)CellType.Lstm, 4)]
    [InlineData((int)CellType.PeepholeLstm, 2)]
    [InlineData((int)CellType.Gru, 2)]
    [InlineData((int)CellType.Gru, 3)]
    public void TrainingABatchThatScoringWouldSplitByUnitsGivesTheOneThreadBits(int cellName, int threads)
    {
        var cell = (CellType)cellName;
        int hidden = HiddenPastL2(cell);
        var (single, singleStore) = Layer(cell, hidden, threads: 1, format: null);
        var (split, splitStore) = Layer(cell, hidden, threads, format: null);
        var layout = PackedLayout.FromLengths(BatchLengths);
        // Scoring this batch splits the units; training keeps the split by sequences.
        Assert.True(split.SplitsUnits(layout, training: false));
        Assert.False(split.SplitsUnits(layout, training: true));
        var random = new Random(15);
        var (input, initialHidden, initialCell) = BatchInputs(cell, hidden, layout, random);
        float[] Values(int count) => [.. Enumerable.Range(0, count).Select(_ => (float)(random.NextDouble() * 2 - 1))];
        float[] outputGradient = Values(layout.TotalSteps * hidden);
        float[] finalHiddenGradient = Values(layout.SequenceCount * hidden);
        float[] finalCellGradient = cell == CellType.Gru ? [] : Values(layout.SequenceCount * hidden);

        for (int batch = 0; batch < 2; batch++) // the second after an optimizer-like change of the weights: packed again
        {
            var results = new List<float[]>[2];
            foreach ((int index, RecurrentLayer<float> layer, ParameterStore<float> store) in new[] { (0, single, singleStore), (1, split, splitStore) })
            {
                store.ZeroGradients();
                var output = new float[layout.TotalSteps * hidden];
                layer.Forward(layout, input, output, training: true, initialHidden, initialCell);
                var inputGradient = new float[layout.TotalSteps * InputSize];
                layer.Backward(layout, input, outputGradient, inputGradient, finalHiddenGradient, finalCellGradient);
                results[index] = [output, layer.FinalHidden.ToArray(), layer.FinalCell.ToArray(), inputGradient, (float[])store.Gradients.Clone(),
                    layer.InitialHiddenGradient.ToArray(), layer.InitialCellGradient.ToArray()];
            }
            for (int i = 0; i < results[0].Count; i++)
                AssertSameBits(results[0][i], results[1][i]);

            foreach (ParameterStore<float> store in new[] { singleStore, splitStore })
            {
                for (int i = 0; i < store.Values.Length; i++)
                    store.Values[i] -= 0.01f * store.Gradients[i];
                store.MarkChanged();
            }
        }
    }

    [Fact]
    public void BatchPassesThatStallOrRunAloneGiveTheOneThreadBits()
    {
        const int hidden = 48;
        foreach (CellType cell in new[] { CellType.Lstm, CellType.Gru })
        {
            var (single, store) = Layer(cell, hidden, threads: 1, format: null);
            var layout = PackedLayout.FromLengths(BatchLengths);
            var (input, initialHidden, initialCell) = BatchInputs(cell, hidden, layout, new Random(13));
            float[] expected = Run(single, layout, input, initialHidden, initialCell);
            var recurrence = new UnitSplitRecurrence(cell, InputSize, hidden, 2) { StallTicks = 0, StallTaskMultiple = 0 };
            for (int pass = 0; pass < UnitSplitRecurrence.CallsAloneAfterStall + 4; pass++)
            {
                var output = new float[layout.TotalSteps * hidden];
                var cells = new float[cell == CellType.Gru ? 0 : layout.TotalSteps * hidden];
                recurrence.Forward(Weights(store, cell), layout, input, initialHidden, initialCell, output, cells, threads: 2);
                AssertSameBits(expected, output);
            }
        }
    }

    [Theory]
    [InlineData(false, 2, null)]
    [InlineData(true, 4, null)] // each direction on two threads
    [InlineData(false, 2, (int)WeightFormat.BFloat16)]
    public void AStackedNetworkScoringABatchOnSeveralThreadsGivesTheOneThreadBits(bool bidirectional, int threads, int? formatName)
    {
        int hidden = HiddenPastL2(CellType.Lstm);
        NetworkSpec spec = NetworkSpecs.Pooled(
            NetworkSpecs.Features(16, hidden, CellType.Lstm, layers: 2, bidirectional: bidirectional), PoolingMode.Max, 3, LossKind.SoftmaxCrossEntropy);
        var trained = new SequenceNetwork<float>(spec, seed: 5, threads: 1);
        var random = new Random(14);
        float[][] sequences = [.. BatchLengths.Select(length => Enumerable.Range(0, length * 16).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray())];
        var batch = SequenceBatch<float>.FromFeatures(sequences, 16);

        float[] expected = Scoring(trained, 1, (WeightFormat?)formatName).Predict(batch).ToArray();
        SequenceNetwork<float> split = Scoring(trained, threads, (WeightFormat?)formatName);
        AssertSameBits(expected, split.Predict(batch).ToArray());
        AssertSameBits(expected, split.Predict(batch).ToArray());
    }

    /// <summary>The fewest units, a multiple of 16, whose W_hh [G·H, H] in float is larger than this CPU's L2 (as <see cref="RecurrentLayer{T}.SplitsUnits"/> reads it).</summary>
    private static int HiddenPastL2(CellType cell)
    {
        long l2 = CpuDescription.Current.L2BytesOrAssumed;
        int gates = cell == CellType.Gru ? 3 : 4, hidden = 16;
        while ((long)gates * hidden * hidden * sizeof(float) <= l2)
            hidden += 16;
        return hidden;
    }

    private static (float[] Input, float[] Hidden, float[] Cell) BatchInputs(CellType cell, int hidden, PackedLayout layout, Random random)
    {
        float[] Values(int count) => [.. Enumerable.Range(0, count).Select(_ => (float)(random.NextDouble() * 2 - 1))];
        int states = layout.SequenceCount * hidden;
        return (Values(layout.TotalSteps * InputSize), Values(states), cell == CellType.Gru ? [] : Values(states));
    }

    /// <summary>A scoring copy of <paramref name="trained"/> on <paramref name="threads"/> threads, compressed as <see cref="WeightCompression.Compress"/> does.</summary>
    private static SequenceNetwork<float> Scoring(SequenceNetwork<float> trained, int threads, WeightFormat? format)
    {
        var copy = SequenceNetwork<float>.CreateForLoading(trained.Spec, threads);
        trained.Parameters.Values.CopyTo(copy.Parameters.Values, 0);
        copy.Parameters.MarkChanged();
        if (format is WeightFormat chosen)
            WeightCompression.Compress(trained, chosen).Parameters.Compression!.AttachTo(copy.Parameters);
        return copy;
    }

    [Fact]
    public void PartsStartAtWholeVectorsOfUnits()
    {
        Assert.Equal(1, UnitSplitRecurrence.PartsFor(20, 2));
        Assert.Equal(2, UnitSplitRecurrence.PartsFor(37, 4));
        Assert.Equal(2, UnitSplitRecurrence.PartsFor(128, 2));
        var recurrence = new UnitSplitRecurrence(CellType.Lstm, 8, 100, 3);
        Assert.Equal([0, 32, 64, 100], recurrence.Bounds.ToArray());
        Assert.Throws<ArgumentOutOfRangeException>(() => new UnitSplitRecurrence(CellType.Lstm, 8, 20, 2));
    }

    private static (RecurrentLayer<float> Layer, ParameterStore<float> Store) Layer(CellType cell, int hidden, int threads, WeightFormat? format)
    {
        var store = new ParameterStore<float>();
        var layer = new RecurrentLayer<float>(store, "l", cell, InputSize, hidden, new Random(3), threads);
        if (format is WeightFormat chosen)
        {
            var weights = store.Views.Where(WeightCompression.IsCompressible)
                .Select(view => (view.Name, QuantizedMatrix.Quantize(chosen, store.Value(view), view.Shape[0], view.Shape[1])));
            WeightCompression.Create(chosen, weights).AttachTo(store);
        }
        return (layer, store);
    }

    private static UnitSplitRecurrence.LayerWeights Weights(ParameterStore<float> store, CellType cell)
    {
        ParameterView Find(string name) => store.Views.Single(view => view.Name == name);
        return new UnitSplitRecurrence.LayerWeights(
            store, Find("l.weight_ih"), Find("l.weight_hh"), Find(cell == CellType.Gru ? "l.bias_ih" : "l.bias"),
            cell == CellType.Gru ? Find("l.bias_hh") : null, cell == CellType.PeepholeLstm ? Find("l.weight_peephole") : null);
    }

    private static (float[] Input, float[] Hidden, float[] Cell) Inputs(CellType cell, int hidden, Random random)
    {
        float[] Values(int count) => [.. Enumerable.Range(0, count).Select(_ => (float)(random.NextDouble() * 2 - 1))];
        return (Values(Steps * InputSize), Values(hidden), cell == CellType.Gru ? [] : Values(hidden));
    }

    private static float[] Run(RecurrentLayer<float> layer, PackedLayout layout, float[] input, float[] hidden, float[] cell)
    {
        var output = new float[layout.TotalSteps * layer.HiddenSize];
        layer.Forward(layout, input.AsSpan(0, layout.TotalSteps * layer.InputSize), output, training: false, hidden, cell);
        return output;
    }

    private static void AssertSameBits(float[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            if (BitConverter.SingleToInt32Bits(expected[i]) != BitConverter.SingleToInt32Bits(actual[i]))
                Assert.Fail($"Value {i}: {actual[i]:R}, expected {expected[i]:R} bit for bit.");
        }
    }
}
