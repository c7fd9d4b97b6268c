using System.Buffers.Binary;
using Microsoft.ML.Lstm.Networks;
using Microsoft.ML.Lstm.Numerics;
using static Microsoft.ML.Lstm.Tests.Networks.NetworkSpecs;

namespace Microsoft.ML.Lstm.Tests.Networks;

public class WeightCompressionTests
{
    private static readonly NetworkSpec[] Specs =
    [
        Pooled(Tokens(30, 6, 24, CellType.Lstm, layers: 2, bidirectional: true), PoolingMode.Max, 3, LossKind.SoftmaxCrossEntropy),
        Pooled(Features(5, 20, CellType.Gru), PoolingMode.LastState, 1, LossKind.SigmoidBinaryCrossEntropy),
        StepSoftmax(Tokens(30, 6, 17, CellType.PeepholeLstm, bidirectional: true), 4),
    ];

    private static float[] Predict(SequenceNetwork<float> network, int seed = 1)
    {
        var batch = Batch<float>(network.Spec.Encoder, [7, 3, 12, 1], new Random(seed));
        return network.Predict(batch).ToArray();
    }

    [Fact]
    public void CompressesEveryRecurrentMatrixAndTheEmbeddingAndNothingElse()
    {
        var network = new SequenceNetwork<float>(Specs[0], seed: 3, threads: 1);
        SequenceNetwork<float> compressed = WeightCompression.Compress(network, WeightFormat.Int8);
        CompressedWeight[] weights = [.. compressed.Parameters.Compression!.Weights];
        Assert.Equal(9, weights.Length); // the embedding, and 2 layers × 2 directions × (input, recurrent)
        Assert.Equal(
            network.Parameters.Views.Where(view => view.Name is "embedding" || view.Name.Contains(".weight_ih") || view.Name.Contains(".weight_hh")).Select(view => view.Name),
            weights.Select(weight => weight.Name));
        // The matrices are packed for the kernels; the embedding, read a row per token, is not.
        Assert.All(weights, weight => Assert.Equal(weight.Name != "embedding", weight.Packed is not null));
    }

    [Fact]
    public void TheNetworkCompressedIsLeftAsItWas()
    {
        var network = new SequenceNetwork<float>(Specs[0], seed: 3, threads: 1);
        float[] values = (float[])network.Parameters.Values.Clone();
        float[] before = Predict(network);
        foreach (WeightFormat format in new[] { WeightFormat.BFloat16, WeightFormat.Int8 })
            WeightCompression.Compress(network, format);
        Assert.Null(network.Parameters.Compression);
        Assert.Equal(values, network.Parameters.Values);
        Assert.Equal(before, Predict(network));
    }

    [Fact]
    public void BFloat16PredictsExactlyAsFloat32OnTheWidenedWeights()
    {
        // The compressed kernels run the float kernels' FMA chains on exactly widened weights: the same bits.
        foreach (NetworkSpec spec in Specs)
        {
            var network = new SequenceNetwork<float>(spec, seed: 5, threads: 1);
            SequenceNetwork<float> compressed = WeightCompression.Compress(network, WeightFormat.BFloat16);
            SequenceNetwork<float> widened = WeightCompression.Compress(compressed, null);
            Assert.Null(widened.Parameters.Compression);
            Assert.Equal(Predict(widened), Predict(compressed));
        }
    }

    [Theory]
    [InlineData("BFloat16", 4e-3)]
    [InlineData("Int8", 1e-2)]
    public void CompressedPredictionsStayCloseToFloat32(string formatName, double tolerance)
    {
        // Random weights (orthogonal recurrent blocks, Xavier inputs), outputs of order 1: the rounding of the weights
        // moves them by less than the stated tolerance (measured at most 2.1·10⁻³ for int8, 9.7·10⁻⁴ for bfloat16).
        WeightFormat format = Enum.Parse<WeightFormat>(formatName);
        var moved = new List<string>();
        double worst = 0;
        foreach (NetworkSpec spec in Specs)
        {
            var network = new SequenceNetwork<float>(spec, seed: 7, threads: 1);
            float[] expected = Predict(network), actual = Predict(WeightCompression.Compress(network, format));
            double largest = expected.Zip(actual).Max(pair => Math.Abs(pair.First - pair.Second));
            moved.Add($"{spec.Encoder.Cell} {largest:G3}");
            Assert.True(largest > 0, "compression changed nothing: the compressed weights were not used");
            worst = Math.Max(worst, largest);
        }
        Assert.True(worst <= tolerance, $"{format}: predictions moved by " + string.Join(", ", moved));
    }

    [Fact]
    public void ScoringCopiesShareTheCompressedWeightsAndGiveTheSameBits()
    {
        var network = new SequenceNetwork<float>(Specs[2], seed: 9, threads: 2);
        SequenceNetwork<float> compressed = WeightCompression.Compress(network, WeightFormat.Int8);
        SequenceNetwork<float> clone = compressed.CloneForInference();
        Assert.Same(compressed.Parameters.Compression, clone.Parameters.Compression);
        Assert.Equal(Predict(compressed), Predict(clone));
        Assert.Equal(Predict(compressed, seed: 4), Predict(WeightCompression.Compress(network, WeightFormat.Int8), seed: 4));
    }

    [Fact]
    public void ChangingTheWeightsDropsTheCompression()
    {
        var network = new SequenceNetwork<float>(Specs[1], seed: 9, threads: 1);
        SequenceNetwork<float> compressed = WeightCompression.Compress(network, WeightFormat.Int8);
        float[] before = Predict(compressed);
        compressed.Parameters.MarkChanged();
        Assert.Null(compressed.Parameters.Compression);
        // Now the float kernels on the dequantized weights: close (int8 also rounds the activations, to 1/126 of each row's
        // largest), not the same bits.
        float[] after = Predict(compressed);
        Assert.NotEqual(before, after);
        Assert.All(before.Zip(after), pair => Assert.True(Math.Abs(pair.First - pair.Second) < 1e-2, $"{pair.First} against {pair.Second}"));
    }

    [Theory]
    [InlineData("BFloat16")]
    [InlineData("Int8")]
    public void SaveAndLoadKeepTheCompressedFormBitForBit(string formatName)
    {
        WeightFormat format = Enum.Parse<WeightFormat>(formatName);
        foreach (NetworkSpec spec in Specs)
        {
            var network = new SequenceNetwork<float>(spec, seed: 11, threads: 1);
            SequenceNetwork<float> compressed = WeightCompression.Compress(network, format);
            byte[] bytes = SavedNetworks.Save(compressed);
            SequenceNetwork<float> loaded = SavedNetworks.Load(bytes);

            WeightCompression written = compressed.Parameters.Compression!, read = loaded.Parameters.Compression!;
            Assert.Equal(format, read.Format);
            Assert.Equal(written.Weights.Select(w => w.Name), read.Weights.Select(w => w.Name));
            foreach ((CompressedWeight a, CompressedWeight b) in written.Weights.Zip(read.Weights))
            {
                Assert.Equal(a.Values.BFloat16Values, b.Values.BFloat16Values);
                Assert.Equal(a.Values.Int8Values, b.Values.Int8Values);
                Assert.Equal(a.Values.RowScales, b.Values.RowScales);
            }
            Assert.Equal(compressed.Parameters.Values, loaded.Parameters.Values);
            Assert.Equal(Predict(compressed), Predict(loaded));
            Assert.Equal(bytes, SavedNetworks.Save(loaded));

            // Format version 2, smaller than the float file by the compressed matrices' bytes, less the section's list of names.
            Assert.Equal(ModelFile.CompressedWeightsVersion, BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(8)));
            byte[] floats = SavedNetworks.Save(network);
            Assert.Equal(ModelFile.FirstFormatVersion, BinaryPrimitives.ReadInt32LittleEndian(floats.AsSpan(8)));
            long saved = written.Weights.Sum(w => 4L * w.Values.Rows * w.Values.Columns - w.Values.ByteCount);
            Assert.InRange(floats.Length - bytes.Length, saved - 600, saved);
        }
    }

    [Fact]
    public void SteppingAnEncoderWithCompressedWeightsEqualsTheWholeSequence()
    {
        // The whole sequence projects its inputs in groups of four rows, a step projects one: the same chains.
        var network = new SequenceNetwork<float>(StepSoftmax(Tokens(20, 6, 16, CellType.Lstm, layers: 2), 5), seed: 3, threads: 1);
        SequenceEncoder<float> encoder = WeightCompression.Compress(network, WeightFormat.Int8).Encoder;
        var random = new Random(4);
        int[][] tokens = [.. Enumerable.Range(0, 2).Select(_ => Enumerable.Range(0, 9).Select(_ => random.Next(20)).ToArray())];
        float[] whole = encoder.Forward(SequenceBatch<float>.FromTokens(tokens), training: false).Features.ToArray();
        var stepper = new EncoderStepper<float>(encoder, 2);
        int d = encoder.OutputSize;
        for (int t = 0; t < 9; t++)
        {
            EncodedBatch<float> step = stepper.Step([tokens[0][t], tokens[1][t]]);
            Assert.Equal(whole.AsSpan(t * 2 * d, 2 * d).ToArray(), step.Features.ToArray());
        }
    }

    [Fact]
    public void AFeaturizerOfACompressedNetworkScoresWithItsCompressedWeights()
    {
        var network = new SequenceNetwork<float>(Specs[0], seed: 3, threads: 1);
        SequenceNetwork<float> compressed = WeightCompression.Compress(network, WeightFormat.BFloat16);
        SequenceNetwork<float> featurizer = EncoderTransplant.Featurizer(compressed, [PoolingMode.Max]);
        Assert.Equal(WeightFormat.BFloat16, featurizer.Parameters.Compression!.Format);
        Assert.Equal(9, featurizer.Parameters.Compression.Weights.Count);
    }

    [Fact]
    public void LoadRefusesACompressedSectionThatDoesNotFitTheNetwork()
    {
        var network = new SequenceNetwork<float>(Specs[1], seed: 3, threads: 1);
        byte[] bytes = SavedNetworks.Save(WeightCompression.Compress(network, WeightFormat.Int8));
        string[] errors =
        [
            Refused(Rename(bytes, "rnn.l0.weight_ih", "rnn.l0.weight_ix")),
            Refused(bytes[..^40]),
        ];
        Assert.Contains("not a recurrent weight matrix", errors[0]);
        Assert.All(errors, error => Assert.NotEmpty(error));
    }

    private static string Refused(byte[] bytes) => Assert.Throws<InvalidDataException>(() => SavedNetworks.Load(bytes)).Message;

    /// <summary>The file with the first compressed matrix's name replaced by one of the same length, checksum recomputed.</summary>
    private static byte[] Rename(byte[] bytes, string from, string to)
    {
        byte[] copy = [.. bytes];
        byte[] name = System.Text.Encoding.UTF8.GetBytes(from), replacement = System.Text.Encoding.UTF8.GetBytes(to);
        Assert.Equal(name.Length, replacement.Length);
        int at = copy.AsSpan().LastIndexOf(name); // the compressed section comes last
        Assert.True(at > 0);
        replacement.CopyTo(copy, at);
        BinaryPrimitives.WriteUInt32LittleEndian(copy.AsSpan(copy.Length - 4), System.IO.Hashing.Crc32.HashToUInt32(copy.AsSpan(0, copy.Length - 4)));
        return copy;
    }
}
