using Microsoft.ML.Lstm.Networks;
using Microsoft.ML.Lstm.Numerics;

namespace Microsoft.ML.Lstm.Benchmarks;

/// <summary>
/// One sequence (50 steps of 128 features) through an LSTM of hidden 128 and a one-logit head on the one-row scoring
/// path (<see cref="SequencePredictor"/>, batch 1): what compare.sh's lstm-latency row and the `compressed` mode time.
/// The weights are random (seed 1), as float32 or compressed (<see cref="WeightFormat"/>), run on <c>threads</c> threads.
/// </summary>
internal sealed class SingleSequenceLatency
{
    private readonly SequencePredictor predictor;
    private readonly float[] steps;
    private readonly float[] output;

    public SingleSequenceLatency(WeightFormat? format = null, int threads = 1)
    {
        var spec = new NetworkSpec(
            new EncoderSpec { Input = SequenceInputKind.Features, FeaturesPerStep = 128, HiddenSize = 128 },
            new PooledHeadSpec { OutputSize = 1, Loss = LossKind.SigmoidBinaryCrossEntropy });
        var network = new SequenceNetwork<float>(spec, seed: 1, threads: threads);
        if (format is WeightFormat chosen)
        {
            // The weights as WeightCompression.Compress stores them, on a network of the thread count asked for.
            var weights = new List<(string, QuantizedMatrix)>();
            foreach (ParameterView view in network.Parameters.Views)
            {
                if (WeightCompression.IsCompressible(view))
                    weights.Add((view.Name, QuantizedMatrix.Quantize(chosen, network.Parameters.Value(view), view.Shape[0], view.Shape[1])));
            }
            WeightCompression.Create(chosen, weights).AttachTo(network.Parameters);
        }
        predictor = new SequencePredictor(network);
        var random = new Random(2);
        steps = new float[50 * 128];
        for (int i = 0; i < steps.Length; i++)
            steps[i] = (float)(random.NextDouble() * 2 - 1);
        output = new float[1];
    }

    /// <summary>The logit of the last <see cref="Predict"/>.</summary>
    public float Logit => output[0];

    public void Predict() => predictor.Predict(steps, output);

    /// <summary>The weight format named on a command line: float32 (null), bfloat16 or int8.</summary>
    public static WeightFormat? ParseFormat(string name) => name.ToLowerInvariant() switch
    {
        "float32" or "fp32" => null,
        "bfloat16" or "bf16" => WeightFormat.BFloat16,
        "int8" => WeightFormat.Int8,
        _ => throw new ArgumentException($"Unknown precision '{name}': expected float32, bfloat16 or int8."),
    };
}
