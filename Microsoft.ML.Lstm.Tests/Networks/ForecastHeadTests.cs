using Microsoft.ML.Lstm.Networks;
using static Microsoft.ML.Lstm.Tests.Networks.NetworkSpecs;

namespace Microsoft.ML.Lstm.Tests.Networks;

/// <summary>The forecasting head: its pinball loss and gradients (through the encoder, the input skip and the future covariates), missing targets, and its file format.</summary>
public class ForecastHeadTests
{
    private static readonly int[] Lengths = [4, 3, 5];

    private static NetworkSpec Spec(EncoderSpec encoder, int skip, int futureCovariates = 0, int futureOffset = 0) =>
        new(encoder, new ForecastHeadSpec
        {
            Horizon = 3, Quantiles = [0.5f, 0.1f, 0.9f], InputSkipSteps = skip, FutureCovariates = futureCovariates, FutureCovariateOffset = futureOffset,
        });

    public static TheoryData<string> SpecNames => new([
        "LSTM with a skip of 3 steps", "bidirectional GRU without a skip", "stacked LSTM with a skip of 1 step",
        "LSTM with a skip and 2 future covariates", "GRU with 1 future covariate"]);

    private static NetworkSpec Named(string name) => name switch
    {
        "LSTM with a skip of 3 steps" => Spec(Features(2, 3), 3),
        "bidirectional GRU without a skip" => Spec(Features(2, 3, CellType.Gru, bidirectional: true), 0),
        "LSTM with a skip and 2 future covariates" => Spec(Features(4, 3), 2, futureCovariates: 2, futureOffset: 2),
        "GRU with 1 future covariate" => Spec(Features(3, 3, CellType.Gru), 0, futureCovariates: 1, futureOffset: 1),
        _ => Spec(Features(2, 3, layers: 2), 1),
    };

    [Theory]
    [MemberData(nameof(SpecNames))]
    public void BackwardMatchesFiniteDifferences(string name)
    {
        NetworkSpec spec = Named(name);
        var network = new SequenceNetwork<double>(spec, seed: 11, threads: 1);
        // The skip starts at zero; move it so its gradient flows into the outputs at a generic point.
        var random = new Random(5);
        for (int i = 0; i < network.Parameters.Values.Length; i++)
            network.Parameters.Values[i] += 0.1 * (random.NextDouble() - 0.5);
        network.Parameters.MarkChanged();
        var batch = Batch<double>(spec.Encoder, Lengths, new Random(12));
        double[] targets = Enumerable.Range(0, Lengths.Length * 3).Select(_ => 2 * random.NextDouble() - 1).ToArray();
        targets[4] = double.NaN; // a missing observation: left out of the loss

        double Loss() => network.Loss(batch, targets, training: true).Mean;

        network.Parameters.ZeroGradients();
        Loss();
        network.Backward();
        double[] analytic = (double[])network.Parameters.Gradients.Clone();
        FiniteDifferences.Check(network.Parameters.Values, analytic, Loss, i => $"{name}: parameter {i}", 1e-7, 1e-6);
    }

    [Fact]
    public void PinballLossWeighsEachLevelAndSkipsMissingTargets()
    {
        var spec = Spec(Features(1, 2), 0);
        var network = new SequenceNetwork<double>(spec, seed: 3, threads: 1);
        var batch = SequenceBatch<double>.FromFeatures([[0.5f, -0.2f]], 1);
        double[] outputs = network.Predict(batch).ToArray(); // [median ×3, low ×3, high ×3]
        double[] targets = [outputs[0] + 1, double.NaN, outputs[2] - 2];
        double expected = 0;
        float[] levels = [0.5f, 0.1f, 0.9f];
        for (int q = 0; q < 3; q++)
        {
            foreach (int h in new[] { 0, 2 })
            {
                double error = targets[h] - outputs[q * 3 + h];
                double tau = levels[q];
                expected += Math.Max(tau * error, (tau - 1) * error);
            }
        }
        Assert.Equal(expected / 6, network.Loss(batch, targets, training: false).Mean, 12);
        Assert.Equal(0, network.Loss(batch, [double.NaN, double.NaN, double.NaN], training: false).Mean);
    }

    [Fact]
    public void FutureCovariatesAddOneDenseLayerAndMustFitTheSteps()
    {
        NetworkSpec spec = Spec(Features(3, 3), 0, futureCovariates: 1, futureOffset: 2);
        // head.future: weight [Q·H, H·C] = [9, 3] and bias [9].
        Assert.Equal(9 * 3 + 9, spec.Head.ParameterCount(spec.Encoder) - Spec(Features(3, 3), 0).Head.ParameterCount(spec.Encoder));
        var network = new SequenceNetwork<double>(spec, seed: 7, threads: 1);
        Assert.Equal(9, network.Predict(SequenceBatch<double>.FromFeatures([[.. Enumerable.Range(0, 15).Select(i => (float)Math.Sin(i))]], 3)).Length);
        // Lead channels past the step's features, or sequences shorter than the horizon, are refused.
        Assert.Throws<ArgumentException>(() => new SequenceNetwork<double>(Spec(Features(3, 3), 0, futureCovariates: 2, futureOffset: 2), seed: 1, threads: 1));
        Assert.Throws<ArgumentException>(() => network.Predict(SequenceBatch<double>.FromFeatures([[1, 2, 3, 4, 5, 6]], 3)));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    public void NetworkFileRoundTripsTheHeadWithOrWithoutFutureCovariates(int futureCovariates)
    {
        NetworkSpec spec = Spec(Features(4, 4), 2, futureCovariates, futureCovariates > 0 ? 2 : 0);
        var network = new SequenceNetwork<float>(spec, seed: 4, threads: 1);
        byte[] bytes = SavedNetworks.Save(network);
        SequenceNetwork<float> loaded = SavedNetworks.Load(bytes);

        Assert.Equal(spec, loaded.Spec);
        var batch = Batch<float>(spec.Encoder, Lengths, new Random(3));
        Assert.Equal(network.Predict(batch).ToArray(), loaded.Predict(batch).ToArray());
        // A head without future covariates is written in the first format's kind, so older readers and files agree.
        string text = System.Text.Encoding.UTF8.GetString(bytes);
        Assert.Equal(futureCovariates > 0, text.Contains("forecast-covariates"));
    }

    [Fact]
    public void NetworkFileRoundTripsTheHeadBitForBit()
    {
        NetworkSpec spec = Spec(Features(3, 4), 2);
        var network = new SequenceNetwork<float>(spec, seed: 4, threads: 1);
        var random = new Random(2);
        for (int i = 0; i < network.Parameters.Values.Length; i++)
            network.Parameters.Values[i] += (float)(0.1 * (random.NextDouble() - 0.5));
        network.Parameters.MarkChanged();
        SequenceNetwork<float> loaded = SavedNetworks.RoundTrip(network);

        Assert.Equal(spec, loaded.Spec);
        var batch = Batch<float>(spec.Encoder, Lengths, new Random(3));
        Assert.Equal(network.Predict(batch).ToArray(), loaded.Predict(batch).ToArray());
    }

    [Fact]
    public void SpecRefusesLevelsOutsideTheUnitInterval()
    {
        var spec = new ForecastHeadSpec { Horizon = 2, Quantiles = [0.5f, 1f] };
        Assert.Throws<ArgumentOutOfRangeException>(() => spec.Validate());
    }
}
